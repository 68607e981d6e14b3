package crockford

import (
	"strings"
	"testing"
)

// FuzzNormalize checks that Normalize never panics, returns only symbols
// of Alphabet, never grows its input, is idempotent, and reads back what
// Group wrote.
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := Normalize(in)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but returned %q", in, got)
			}
			return
		}
		if len(got) > len(in) {
			t.Fatalf("Normalize(%q) = %q grew", in, got)
		}
		for i := 0; i < len(got); i++ {
			if !strings.ContainsRune(Alphabet, rune(got[i])) {
				t.Fatalf("Normalize(%q) = %q has %q", in, got, got[i])
			}
		}
		if again, ok := Normalize(got); !ok || again != got {
			t.Fatalf("not idempotent: %q gives %q", got, again)
		}
		if back, ok := Normalize(strings.ToLower(Group(got, 4, '-'))); !ok || back != got {
			t.Fatalf("Group does not read back: %q gives %q", got, back)
		}
	})
}
