package phone

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDutchMobileForms(t *testing.T) {
	inputs := []string{
		"06-12345678",
		"06 12345678",
		"0612345678",
		"+31 (0)6 12345678",
		"+31612345678",
		"0031612345678",
		"0031 6 1234 5678",
		"06.12.34.56.78",
		"(06) 12345678",
		"+31-6-12-34-56-78",
		"  06 12345678\t",
		"06\u00a012345678", // no-break space
		"06\u201312345678", // en dash
		"\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",             // full-width digits
		"\uff0b\uff13\uff11\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", // full-width plus and digits
		"tel:+31-6-12345678",
	}
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			n, err := Parser{}.Parse(in)
			require.NoError(t, err)
			assert.Equal(t, Number{E164: "+31612345678", Region: "NL", CountryCode: 31, Type: Mobile, AreaCode: "6"}, n)
			assert.Equal(t, "+31612345678", n.String())
		})
	}
}

func TestDestinations(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		e164     string
		typ      LineType
		smsErr   error
		voiceErr error
	}{
		{"mobile", "06-12345678", "+31612345678", Mobile, nil, nil},
		{"fixed line Amsterdam", "020-1234567", "+31201234567", FixedLine, ErrNotMobile, nil},
		{"VoIP 085", "085 123 4567", "+31851234567", VoIP, ErrNotMobile, nil},
		{"premium 0900", "0900-1234567", "+319001234567", PremiumRate, ErrPremiumRate, ErrPremiumRate},
		{"premium 0906", "0906-1234567", "+319061234567", PremiumRate, ErrPremiumRate, ErrPremiumRate},
		{"premium 0909", "0909-1234567", "+319091234567", PremiumRate, ErrPremiumRate, ErrPremiumRate},
		{"toll-free 0800", "0800-1234567", "+318001234567", TollFree, ErrTollFree, ErrTollFree},
		{"shared cost 0840", "0840-123456", "+31840123456", SharedCost, ErrSharedCost, ErrSharedCost},
		{"shared cost 0870", "0870-123456", "+31870123456", SharedCost, ErrSharedCost, ErrSharedCost},
		{"M2M 0970", "0970 12345678", "+3197012345678", MachineToMachine, ErrMachineToMachine, ErrMachineToMachine},
		{"M2M 0970 grouped", "+31 970 1234 5678", "+3197012345678", MachineToMachine, ErrMachineToMachine, ErrMachineToMachine},
		{"pager 066", "066 1234567", "+31661234567", Pager, ErrNotMobile, ErrUnsupportedType},
		{"company number 088", "088 1234567", "+31881234567", UAN, ErrNotMobile, ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parser{}.Parse(tt.in)
			require.NoError(t, err, "every example must be a valid number")
			assert.Equal(t, tt.e164, n.E164)
			assert.Equal(t, tt.typ, n.Type)

			_, err = Parser{}.ForSMS(tt.in)
			assertRefused(t, tt.smsErr, err)
			_, err = Parser{}.ForVoice(tt.in)
			assertRefused(t, tt.voiceErr, err)
		})
	}
}

func TestForeignDestinations(t *testing.T) {
	p := Parser{AllowedRegions: []string{"NL", "US", "GB", "BE"}}
	tests := []struct {
		name     string
		in       string
		typ      LineType
		smsErr   error
		voiceErr error
	}{
		{"US fixed or mobile", "+1 212 555 0123", FixedOrMobile, nil, nil},
		{"US toll-free", "+1 800 555 0123", TollFree, ErrTollFree, ErrTollFree},
		{"US premium", "+1 900 555 0123", PremiumRate, ErrPremiumRate, ErrPremiumRate},
		{"GB personal 070", "+44 70 1234 5678", Personal, ErrNotMobile, ErrUnsupportedType},
		{"GB fixed line", "+44 20 7946 0018", FixedLine, ErrNotMobile, nil},
		{"BE premium", "+32 900 12 345", PremiumRate, ErrPremiumRate, ErrPremiumRate},
		{"BE mobile", "+32 470 12 34 56", Mobile, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := p.Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.typ, n.Type)
			_, err = p.ForSMS(tt.in)
			assertRefused(t, tt.smsErr, err)
			_, err = p.ForVoice(tt.in)
			assertRefused(t, tt.voiceErr, err)
		})
	}
}

func TestParseRefused(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrEmpty},
		{"only spaces", "   \t ", ErrEmpty},
		{"garbage", "garbage", ErrInvalid},
		{"letters and digits", "06-CALLME12", ErrInvalid},
		{"too short", "06-1234", ErrInvalid},
		{"too long for NL", "06 12 34 56 78 9", ErrInvalid},
		{"range not in use", "0971 12345678", ErrInvalid},
		{"unknown country code", "+999 1234567", ErrInvalid},
		{"longer than E.164", "+49 201 00000000000", ErrInvalid},
		{"overlong", "06-12345678" + strings.Repeat(" ", 54), ErrTooLong},
		{"overlong full-width", strings.Repeat("\uff10", 65), ErrTooLong},
		{"huge", strings.Repeat("6", 1<<20), ErrTooLong},
		{"extension ext.", "06-12345678 ext. 123", ErrExtension},
		{"extension x", "06-12345678 x123", ErrExtension},
		{"extension RFC 3966", "+31612345678;ext=123", ErrExtension},
		{"extension hash", "020-1234567#12", ErrExtension},
		{"non-geographic", "+800 1234 5678", ErrRegionNotAllowed},
		{"Belgian mobile", "+32 470 12 34 56", ErrRegionNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parser{}.Parse(tt.in)
			assertRefused(t, tt.want, err)
			assert.Zero(t, n)
		})
	}
}

func TestInputLengthLimit(t *testing.T) {
	fits := "06-12345678" + strings.Repeat(" ", 53)
	_, err := Parser{}.Parse(fits)
	require.NoError(t, err, "64 characters are parsed")
	fullWidth := "\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18" + strings.Repeat(" ", 54)
	_, err = Parser{}.Parse(fullWidth)
	require.NoError(t, err, "the limit counts characters, not bytes")
	_, err = Parser{}.Parse(fits + " ")
	assert.ErrorIs(t, err, ErrTooLong)
}

func TestAllowedRegions(t *testing.T) {
	const belgian = "+32 470 12 34 56"
	tests := []struct {
		name   string
		parser Parser
		in     string
		want   string
		err    error
	}{
		{"BE refused by default", Parser{}, belgian, "", ErrRegionNotAllowed},
		{"BE allowed", Parser{AllowedRegions: []string{"NL", "BE"}}, belgian, "+32470123456", nil},
		{"case does not matter", Parser{AllowedRegions: []string{"nl", "be"}}, belgian, "+32470123456", nil},
		{"list is exact", Parser{AllowedRegions: []string{"BE"}}, "06-12345678", "", ErrRegionNotAllowed},
		{"BE default region", Parser{DefaultRegion: "be"}, "0470 12 34 56", "+32470123456", nil},
		{"NL refused with BE default", Parser{DefaultRegion: "BE"}, "+31612345678", "", ErrRegionNotAllowed},
		{"US does not allow JM", Parser{AllowedRegions: []string{"US"}}, "+1 876 555 1234", "", ErrRegionNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.parser.ForSMS(tt.in)
			assertRefused(t, tt.err, err)
			assert.Equal(t, tt.want, n.E164)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		parser Parser
		err    error
	}{
		{"zero value", Parser{}, nil},
		{"lower case", Parser{DefaultRegion: "be", AllowedRegions: []string{"be", "nl"}}, nil},
		{"unknown default", Parser{DefaultRegion: "XX"}, ErrUnknownRegion},
		{"unknown allowed", Parser{AllowedRegions: []string{"NL", "Netherlands"}}, ErrUnknownRegion},
		{"non-geographic", Parser{AllowedRegions: []string{"001"}}, ErrUnknownRegion},
		{"empty allowed entry", Parser{AllowedRegions: []string{""}}, ErrUnknownRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRefused(t, tt.err, tt.parser.Validate())
			_, err := tt.parser.Parse("06-12345678")
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err, "Parse validates too")
			}
		})
	}
}

func TestMasked(t *testing.T) {
	tests := []struct {
		n    Number
		want string
	}{
		{Number{E164: "+31612345678", CountryCode: 31}, "+31 6 •••• 5678"},
		{Number{E164: "+31201234567", CountryCode: 31}, "+31 2 •••• 4567"},
		{Number{E164: "+32470123456", CountryCode: 32}, "+32 4 •••• 3456"},
		{Number{E164: "+12125550123", CountryCode: 1}, "+1 2 ••••• 0123"},
		{Number{E164: "+4512345678", CountryCode: 45}, "+45 1 ••• 5678"},
		{Number{E164: "+318001234", CountryCode: 31}, "+31 8 ••• 234"},
		{Number{E164: "+6831234", CountryCode: 683}, "+683 1 •••"},
		{Number{E164: "+31201234567", CountryCode: 31, AreaCode: "20"}, "+31 20 ••• 4567"},
		{Number{E164: "+31612345678", CountryCode: 31, AreaCode: "6"}, "+31 6 •••• 5678"},
		{Number{E164: "+31597123456", CountryCode: 31, AreaCode: "597"}, "+31 597 ••• 456"},
		{Number{E164: "+31201234567", CountryCode: 31, AreaCode: "30"}, "+31 2 •••• 4567"},
		{Number{E164: "+3120123", CountryCode: 31, AreaCode: "2012"}, "+31 2 ••• 3"},
		{Number{}, ""},
		{Number{E164: "+31", CountryCode: 31}, ""},
		{Number{E164: "+31612345678", CountryCode: 32}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.n.Masked())
		})
	}
}

func TestErrorsHideTheNumber(t *testing.T) {
	p := Parser{}
	inputs := []string{
		"020-1234567", "0900-1234567", "0800-1234567", "0840-123456",
		"0970 12345678", "066 1234567", "+32 470 12 34 56", "06-12345678 x123",
		"0971 12345678", "06 12 34 56 78 9",
	}
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			_, err := p.ForSMS(in)
			require.Error(t, err)
			var perr *Error
			require.ErrorAs(t, err, &perr)
			digits := strings.Map(keepDigits, in)
			assert.NotContains(t, strings.Map(keepDigits, err.Error()), digits[len(digits)-7:])
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Parser{}.ForSMS("020-1234567")
	assert.EqualError(t, err, "phone: not a mobile number: fixed line (+31 20 ••• 4567)")
	_, err = Parser{}.Parse("")
	assert.EqualError(t, err, "phone: no number given")
	_, err = Parser{}.Parse("+32 470 12 34 56")
	assert.EqualError(t, err, `phone: country not allowed: region "BE" (+32 470 ••• 456)`)
}

func TestLineTypeString(t *testing.T) {
	seen := map[string]LineType{}
	for typ := Unknown; typ <= MachineToMachine; typ++ {
		s := typ.String()
		assert.NotContains(t, s, "LineType(", "%d has no name", int(typ))
		_, dup := seen[s]
		assert.False(t, dup, "duplicate name %q", s)
		seen[s] = typ
	}
	assert.Equal(t, "mobile", Mobile.String())
	assert.Equal(t, "fixed line", FixedLine.String())
	assert.Equal(t, "LineType(99)", LineType(99).String())
	assert.Equal(t, Unknown, LineType(0), "the zero value is Unknown")
}

func TestReparseIsStable(t *testing.T) {
	p := Parser{AllowedRegions: []string{"NL", "BE", "US"}}
	for _, in := range []string{"06-12345678", "020-1234567", "+32 470 12 34 56", "+1 212 555 0123", "0970 12345678"} {
		n, err := p.Parse(in)
		require.NoError(t, err)
		again, err := p.Parse(n.E164)
		require.NoError(t, err)
		assert.Equal(t, n, again)
	}
}

func TestConcurrentUse(t *testing.T) {
	p := Parser{AllowedRegions: []string{"NL", "BE"}}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			in := []string{"06-12345678", "+32 470 12 34 56", "0900-1234567"}[i%3]
			_, _ = p.ForSMS(in)
			_, _ = p.ForVoice(in)
		})
	}
	wg.Wait()
}

// assertRefused checks that err is nil when want is nil, and otherwise an
// *Error wrapping want.
func assertRefused(t *testing.T, want, err error) {
	t.Helper()
	if want == nil {
		assert.NoError(t, err)
		return
	}
	require.ErrorIs(t, err, want)
	var perr *Error
	require.True(t, errors.As(err, &perr), "want *Error, got %T", err)
	for _, other := range sentinels() {
		if other != want {
			assert.NotErrorIs(t, err, other, "errors must be distinct")
		}
	}
}

func sentinels() []error {
	return []error{
		ErrEmpty, ErrTooLong, ErrInvalid, ErrExtension, ErrRegionNotAllowed,
		ErrUnknownRegion, ErrNotMobile, ErrUnsupportedType, ErrPremiumRate,
		ErrTollFree, ErrSharedCost, ErrMachineToMachine,
	}
}

func keepDigits(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}
