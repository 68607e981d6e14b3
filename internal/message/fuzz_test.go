package message_test

import (
	"slices"
	"testing"

	"github.com/twostep/twostep/internal/message"
)

// FuzzNegotiate checks that any preference, however malformed, yields one
// of the supported languages and never panics.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"nl-BE,nl;q=0.9", "en-US", "de", "", "*", "en;q=0", "zh-Hant-TW;q=0.3,x-klingon"} {
		f.Add(s)
	}
	c, err := message.New(message.Config{}, "sms.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pref string) {
		got := c.Negotiate(pref)
		if !slices.Contains(c.Languages(), got) {
			t.Fatalf("Negotiate(%q) = %q, not a supported language", pref, got)
		}
	})
}
