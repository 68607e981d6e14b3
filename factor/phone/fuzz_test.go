package phone

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{"06-12345678", "+31 (0)6 12345678", "0970 12345678", "+32 470 12 34 56", "06 x123"} {
		f.Add(seed)
	}
	p := Parser{AllowedRegions: []string{"NL", "BE", "DE", "GB", "US"}}
	f.Fuzz(func(t *testing.T, input string) {
		n, err := p.Parse(input)
		if err != nil {
			checkRefusal(t, input, n, err)
			return
		}
		checkNumber(t, p, n)
		_, _ = p.ForSMS(input)
		_, _ = p.ForVoice(input)
	})
}

// checkNumber checks an accepted number: E.164, allowed, and stable when
// parsed again.
func checkNumber(t *testing.T, p Parser, n Number) {
	t.Helper()
	digits := strings.TrimPrefix(n.E164, "+")
	if digits == n.E164 || len(digits) < 2 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
		t.Fatalf("not E.164: %q", n.E164)
	}
	if !p.allows(n.Region) {
		t.Fatalf("region %q accepted but not allowed", n.Region)
	}
	again, err := p.Parse(n.E164)
	if err != nil {
		t.Fatalf("re-parsing %q: %v", n.E164, err)
	}
	if again != n {
		t.Fatalf("re-parsing %q gave %+v, want %+v", n.E164, again, n)
	}
	if n.Masked() == "" {
		t.Fatalf("no masked form for %q", n.E164)
	}
}

// checkRefusal checks a refusal: a zero Number and an *Error that does not
// spell out a long run of the input's digits.
func checkRefusal(t *testing.T, input string, n Number, err error) {
	t.Helper()
	if n != (Number{}) {
		t.Fatalf("refused but returned %+v", n)
	}
	var perr *Error
	if !errors.As(err, &perr) || perr.Err == nil {
		t.Fatalf("want *Error wrapping a sentinel, got %T %v", err, err)
	}
	// The number the input stands for: letters are keypad digits
	// ("0800-FLOWERS"), as the parser reads them.
	digits := strings.Map(keypadDigit, input)
	if len(digits) >= 8 && strings.Contains(strings.Map(keepDigits, err.Error()), digits) {
		t.Fatalf("error %q spells out the number", err)
	}
}

// keypadDigit keeps a digit and turns a letter into the digit of its key
// on a phone's keypad; anything else goes.
func keypadDigit(r rune) rune {
	const keys = "22233344455566677778889999"
	switch {
	case r >= '0' && r <= '9':
		return r
	case r >= 'a' && r <= 'z':
		return rune(keys[r-'a'])
	case r >= 'A' && r <= 'Z':
		return rune(keys[r-'A'])
	}
	return -1
}
