package email_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
)

// FuzzParseAddress checks that ParseAddress never panics, refuses with
// factor.ErrMalformed only, and accepts only bare addresses of at most 254
// bytes that parse again to themselves.
func FuzzParseAddress(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		got, err := email.ParseAddress(in)
		if err != nil {
			if !errors.Is(err, factor.ErrMalformed) || got != "" {
				t.Fatalf("ParseAddress(%q) = %q, %v", in, got, err)
			}
			return
		}
		at := strings.LastIndexByte(got, '@')
		if len(got) > 254 || at < 1 || strings.ContainsAny(got, "<> \t\r\n") || got[at+1:] != strings.ToLower(got[at+1:]) {
			t.Fatalf("ParseAddress(%q) accepted %q", in, got)
		}
		again, err := email.ParseAddress(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q gives %q, %v", got, again, err)
		}
	})
}
