package factor_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/recovery"
)

// The seed corpora live in testdata/fuzz/<Name>/. Each target runs whole
// operations on a fresh world, so that what a fuzzer finds is a failure
// of the Manager, not of a helper.

// digitsOf keeps the ASCII digits of s: what a right code must reduce to.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// checkRefusal checks an error of an operation given arbitrary input: only
// a malformed input or an invalid code, the latter always with the same
// text, and a malformed input counts no failure.
func checkRefusal(t *testing.T, w *world, what string, err error, failuresBefore int) {
	t.Helper()
	switch {
	case errors.Is(err, factor.ErrMalformed):
		if w.failures() != failuresBefore {
			t.Fatalf("%s: malformed input was counted as a failure", what)
		}
	case errors.Is(err, factor.ErrInvalidCode):
	default:
		t.Fatalf("%s: want ErrMalformed or ErrInvalidCode, got %v", what, err)
	}
}

// failures counts the failed attempts the world's Manager recorded.
func (w *world) failures() int {
	w.events.mu.Lock()
	defer w.events.mu.Unlock()
	n := 0
	for _, e := range w.events.events {
		if e.Type == factor.EventFailed {
			n++
		}
	}
	return n
}

// FuzzVerifyCode feeds arbitrary codes to Verify and Confirm on both paths
// and to the keypad: no panic, a code is accepted only if its digits are
// the right code, and a refusal is ErrMalformed (counting nothing) or a
// uniform ErrInvalidCode.
func FuzzVerifyCode(f *testing.F) {
	f.Fuzz(func(t *testing.T, code string) {
		w := newWorld(t, factor.Policy{}, mem)
		sms, sent := w.send(w.smsID, false, w.now)
		keypad, digits := w.send(w.voiceID, true, w.now)
		_, confirmSMS, confirmCode := w.pendingPhone(factor.KindSMS, "+31611112222", "", w.now)
		checks := []struct {
			name, right string
			call        func() error
		}{
			{"Verify TOTP", codeFor(aliceSecret, w.now), func() error { return factortest.Err(w.m.Verify(w.ctx, attempt(w.totpID, "", code), w.now)) }},
			{"Verify SMS", sent, func() error { return factortest.Err(w.m.Verify(w.ctx, attempt("", sms, code), w.now)) }},
			{"Confirm SMS", confirmCode, func() error { return factortest.Err(w.m.Confirm(w.ctx, attempt("", confirmSMS, code), w.now)) }},
			{"ApproveKeypad", digits, func() error { return w.m.ApproveKeypad(w.ctx, keypad, code, w.now) }},
			{"Verify keypad", "", func() error { return factortest.Err(w.m.Verify(w.ctx, attempt("", keypad, code), w.now)) }},
		}
		for _, c := range checks {
			before := w.failures()
			err := c.call()
			if err == nil {
				if c.right == "" || digitsOf(code) != c.right {
					t.Fatalf("%s accepted %q", c.name, code)
				}
				continue
			}
			checkRefusal(t, w, c.name, err, before)
			if errors.Is(err, factor.ErrInvalidCode) && err.Error() != factor.ErrInvalidCode.Error() {
				t.Fatalf("%s: not the uniform error: %v", c.name, err)
			}
		}
	})
}

// FuzzActivate feeds arbitrary activation codes to Activate.
func FuzzActivate(f *testing.F) {
	f.Fuzz(func(t *testing.T, code string) {
		w := newWorld(t, basePolicy, mem)
		right, err := w.m.IssueActivationCode(w.ctx, "bob", "desk", w.now)
		if err != nil {
			t.Fatal(err)
		}
		before := w.failures()
		err = w.m.Activate(w.ctx, "bob", code, w.now)
		if err == nil {
			if norm, nerr := recovery.Normalize(code); nerr != nil || norm != strings.ReplaceAll(right, "-", "") {
				t.Fatalf("accepted %q for %q", code, right)
			}
			return
		}
		checkRefusal(t, w, "Activate", err, before)
	})
}

// FuzzRecoveryRedeem feeds arbitrary recovery codes to recovery.Redeem.
func FuzzRecoveryRedeem(f *testing.F) {
	f.Fuzz(func(t *testing.T, code string) {
		w := newWorld(t, factor.Policy{}, mem)
		before := w.failures()
		_, err := w.rec.Redeem(w.ctx, "alice", code, w.now)
		if err == nil {
			norm, _ := recovery.Normalize(code)
			for _, c := range w.recovery {
				if norm == strings.ReplaceAll(c, "-", "") {
					return
				}
			}
			t.Fatalf("accepted %q", code)
		}
		checkRefusal(t, w, "Redeem", err, before)
	})
}

// FuzzDeviceToken feeds arbitrary tokens, and arbitrary Cookie headers, to
// the trusted-device check: only the token itself is trusted, and a
// healthy store never makes it fail.
func FuzzDeviceToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, token, cookie string) {
		w := newWorld(t, factor.Policy{}, mem)
		req, err := http.NewRequest(http.MethodGet, "https://example.com/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", cookie)
		for _, tok := range []string{token, w.dev.TokenFromRequest(req)} {
			ok, err := w.dev.Check(w.ctx, "alice", tok, w.now)
			if err != nil {
				t.Fatalf("Check(%q): %v", tok, err)
			}
			if ok != (tok == w.token) {
				t.Fatalf("Check(%q) = %v", tok, ok)
			}
			st, err := w.m.Status(w.ctx, factor.StatusRequest{UserID: "alice", DeviceToken: tok, Devices: w.dev}, w.now)
			if err != nil || st.DeviceTrusted != (tok == w.token) {
				t.Fatalf("Status with %q: %v, %v", tok, st, err)
			}
		}
	})
}

// FuzzUserMessage feeds arbitrary language preferences to UserMessage:
// every error gets its Dutch or its English text, never anything else.
func FuzzUserMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, lang string) {
		for _, err := range factor.UserErrors() {
			got := factor.UserMessage(err, lang)
			if got == "" || (got != factor.UserMessage(err, "nl") && got != factor.UserMessage(err, "en")) {
				t.Fatalf("UserMessage(%v, %q) = %q", err, lang, got)
			}
		}
	})
}

// FuzzIdentifiers feeds arbitrary user, enrollment and challenge
// identifiers and labels to the Manager. An identifier that is not
// printable UTF-8 within its bound must be refused with ErrMalformed
// before any store call; any other must not panic and must not be
// malformed for its own sake.
func FuzzIdentifiers(f *testing.F) {
	f.Add("alice", "enrollment", "", "Phone")
	f.Add("alice\x00", "", "challenge", "")
	f.Add("bob", "\xff", "", "Work\nphone")
	f.Add("", "x", "y", "\u0085")
	f.Fuzz(func(t *testing.T, user, enrollment, challenge, label string) {
		w := newWorld(t, basePolicy, mem)
		printable := func(s string, max int) bool {
			if len(s) > max || !utf8.ValidString(s) {
				return false
			}
			return !strings.ContainsFunc(s, unicode.IsControl)
		}
		idsOK := user != "" && printable(user, 255) && printable(enrollment, 64) && printable(challenge, 64)
		w.fs.Arm(0, false)
		_, err := w.m.Verify(w.ctx, factor.Answer{UserID: user, EnrollmentID: enrollment, ChallengeID: challenge, Code: "123456"}, w.now)
		if !idsOK {
			require.ErrorIs(t, err, factor.ErrMalformed)
			require.Empty(t, w.fs.Calls(), "a malformed identifier reached the store")
		} else if err != nil {
			var in *factor.InputError
			if errors.As(err, &in) {
				require.Equal(t, "code", in.Field, "well-formed identifiers refused: %v", err)
			}
		}
		w.fs.Arm(0, false)
		_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, Label: label}, w.now)
		if user == "" || !printable(user, 255) || !printable(label, 100) {
			require.ErrorIs(t, err, factor.ErrMalformed)
			require.Empty(t, w.fs.Calls(), "a malformed identifier reached the store")
		}
	})
}
