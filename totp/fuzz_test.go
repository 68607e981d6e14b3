package totp

import (
	"errors"
	"testing"

	"github.com/twostep/twostep/factor"
)

// The seed corpora live in testdata/fuzz/<Name>/.

func FuzzParseSecret(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		secret, err := ParseSecret(s)
		if err != nil {
			if !errors.Is(err, factor.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(secret) < minSecretSize || len(secret) > maxSecretSize {
			t.Fatalf("accepted a %d-byte secret", len(secret))
		}
		k := &Key{secret: secret}
		again, err := ParseSecret(k.Text())
		if err != nil || string(again) != string(secret) {
			t.Fatalf("Text does not round-trip: %v", err)
		}
	})
}

func FuzzParseURI(f *testing.F) {
	f.Fuzz(func(t *testing.T, uri string) {
		k, err := ParseURI(uri)
		if err != nil {
			if !errors.Is(err, factor.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		again, err := ParseURI(k.URI())
		if err != nil {
			t.Fatalf("URI of a parsed key does not parse: %v", err)
		}
		if again.URI() != k.URI() || again.String() != k.String() || string(again.secret) != string(k.secret) {
			t.Fatalf("URI does not round-trip: %s != %s", again, k)
		}
	})
}

func FuzzNormalizeCode(f *testing.F) {
	six, err := New(Config{Issuer: "Fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code string) {
		got, err := six.NormalizeCode(code)
		if err != nil {
			if !errors.Is(err, factor.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(code) > maxCodeInput || !six.canonical(got) {
			t.Fatalf("accepted %q as %q", code, got)
		}
		if again, err := six.NormalizeCode(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q, %v", again, err)
		}
	})
}
