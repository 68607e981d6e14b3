package voice

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

func keypadRequest(query, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/keypad", strings.NewReader(body))
	r.URL.RawQuery = query
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestParseKeypadForm(t *testing.T) {
	tests := []struct {
		name, query, body string
		want              keypadForm
		ok                bool
	}{
		{"Twilio", "challenge=abc234", "Digits=42&CallSid=CA1&From=%2B31612345678", keypadForm{"abc234", "42"}, true},
		{"challenge in the form", "", "challenge=abc&Digits=7", keypadForm{"abc", "7"}, true},
		{"no challenge", "", "Digits=42", keypadForm{}, false},
		{"two challenges", "challenge=a", "challenge=b&Digits=42", keypadForm{}, false},
		{"no digits", "challenge=a", "CallSid=CA1", keypadForm{}, false},
		{"digits only in the query", "challenge=a&Digits=42", "", keypadForm{}, false},
		{"two digits fields", "challenge=a", "Digits=4&Digits=2", keypadForm{}, false},
		{"hash", "challenge=a", "Digits=42%23", keypadForm{}, false},
		{"letters", "challenge=a", "Digits=4x", keypadForm{}, false},
		{"overlong digits", "challenge=a", "Digits=" + strings.Repeat("1", 17), keypadForm{}, false},
		{"bad challenge", "challenge=a%0Ab", "Digits=42", keypadForm{}, false},
		{"overlong challenge", "challenge=" + strings.Repeat("a", 65), "Digits=42", keypadForm{}, false},
		{"bad query", "challenge=%zz", "Digits=42", keypadForm{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseKeypadForm(keypadRequest(tt.query, tt.body))
			if !tt.ok {
				require.Error(t, err)
				assert.NotContains(t, err.Error(), "42", "errors do not echo the input")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOutcome(t *testing.T) {
	tests := []struct {
		err  error
		want Outcome
	}{
		{nil, Approved},
		{factor.ErrInvalidCode, Rejected},
		{&factor.LockedError{}, Rejected},
		{fmt.Errorf("factor: keypad: %w", factor.ErrNotFound), Rejected},
		{&factor.InputError{Field: "code"}, Malformed},
		{errors.New("database is down"), Failed},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, outcome(tt.err), "%v", tt.err)
	}
}

// FuzzKeypadForm feeds arbitrary queries and bodies to the webhook's form
// parsing: it must never panic, and whatever it accepts must be a plain ID
// and plain digits.
func FuzzKeypadForm(f *testing.F) {
	f.Add("challenge=abc234", "Digits=42&CallSid=CA1")
	f.Add("", "challenge=x&Digits=1")
	f.Add("challenge=a&challenge=b", "Digits=12")
	f.Add("challenge=%zz", "Digits=%")
	f.Fuzz(func(t *testing.T, query, body string) {
		got, err := parseKeypadForm(keypadRequest(query, body))
		if err != nil {
			return
		}
		if got.challenge == "" || len(got.challenge) > maxChallengeID || !isID(got.challenge) {
			t.Fatalf("accepted challenge %q", got.challenge)
		}
		if got.digits == "" || len(got.digits) > maxDigits || !isDigits(got.digits) {
			t.Fatalf("accepted digits %q", got.digits)
		}
	})
}
