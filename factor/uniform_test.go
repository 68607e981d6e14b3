package factor_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

// uniformCase is one way for a second step to fail. prepare returns the
// attempt, made at w.now; confirm sends it to Confirm instead of Verify.
type uniformCase struct {
	name    string
	confirm bool
	prepare func(w *world) factor.Answer
}

// TestUniformFailure proves that every way a code can be refused looks
// the same to the caller and to the user: the same sentinel, the same
// error text and the same message in both languages, whether the user, the
// method or the challenge exists or not, belongs to someone else, or the
// code is wrong, expired, used, replaced or out of tries.
func TestUniformFailure(t *testing.T) {
	cases := append(uniformTOTPCases(), uniformChallengeCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, factor.Policy{}, mem)
			a := tc.prepare(w)
			w.leak.codeSecret("the attempted code", a.Code)
			verify := w.m.Verify
			if tc.confirm {
				verify = w.m.Confirm
			}
			err := w.leak.err(factortest.Err(verify(w.ctx, a, w.now)))
			require.ErrorIs(t, err, factor.ErrInvalidCode)
			assert.Equal(t, factor.ErrInvalidCode.Error(), err.Error())
			for _, lang := range []string{"en", "nl"} {
				assert.Equal(t, factor.UserMessage(factor.ErrInvalidCode, lang), factor.UserMessage(err, lang))
			}
		})
	}
}

// bob enrols an authenticator app and a phone for bob and returns their
// IDs and a challenge sent to the phone with its code.
func (w *world) bob() (totpID, challenge, code string) {
	w.t.Helper()
	at := w.now.Add(-time.Hour)
	totpID = w.enrolTOTP("bob", otherSecret, at)
	up, err := w.m.Verify(w.ctx, factor.Answer{UserID: "bob", EnrollmentID: totpID, Code: codeFor(otherSecret, w.now)}, w.now)
	require.NoError(w.t, err)
	e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "bob", Kind: factor.KindSMS, Address: "+31699998888", StepUp: up.StepUp}, w.now)
	require.NoError(w.t, err)
	sent, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "bob", EnrollmentID: e.ID}, w.now)
	require.NoError(w.t, err)
	msg, _ := w.sender.Last()
	return totpID, sent.ChallengeID, msg.Code
}

func uniformTOTPCases() []uniformCase {
	right := func(w *world) string { return codeFor(aliceSecret, w.now) }
	totp := func(w *world, code string) factor.Answer { return attempt(w.totpID, "", code) }
	return []uniformCase{
		{"TOTP/wrong code", false, func(w *world) factor.Answer { return totp(w, wrongDigits(right(w))) }},
		{"TOTP/unknown user", false, func(w *world) factor.Answer {
			a := totp(w, right(w))
			a.UserID = "nobody"
			return a
		}},
		{"TOTP/unknown method", false, func(w *world) factor.Answer { return attempt("no-such-id", "", right(w)) }},
		{"TOTP/another user's method", false, func(w *world) factor.Answer {
			id, _, _ := w.bob()
			return attempt(id, "", codeFor(otherSecret, w.now))
		}},
		{"TOTP/expired code", false, func(w *world) factor.Answer {
			return totp(w, codeFor(aliceSecret, w.now.Add(-3*30*time.Second)))
		}},
		{"TOTP/reused code", false, func(w *world) factor.Answer {
			a := totp(w, right(w))
			require.NoError(w.t, factortest.Err(w.m.Verify(w.ctx, a, w.now)))
			return a
		}},
		{"TOTP/earlier step after a later one", false, func(w *world) factor.Answer {
			require.NoError(w.t, factortest.Err(w.m.Verify(w.ctx, totp(w, right(w)), w.now)))
			return totp(w, codeFor(aliceSecret, w.now.Add(-30*time.Second)))
		}},
		{"TOTP/pending method at login", false, func(w *world) factor.Answer {
			e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Secret: otherSecret, StepUp: w.grantFor(w.now)}, w.now)
			require.NoError(w.t, err)
			return attempt(e.ID, "", codeFor(otherSecret, w.now))
		}},
		{"TOTP/confirming a confirmed method", true, func(w *world) factor.Answer { return totp(w, right(w)) }},
		{"TOTP/confirming a lapsed method", true, func(w *world) factor.Answer {
			at := w.now.Add(-time.Hour)
			e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Secret: otherSecret, StepUp: w.grantFor(at)}, at)
			require.NoError(w.t, err)
			return attempt(e.ID, "", codeFor(otherSecret, w.now))
		}},
	}
}

func uniformChallengeCases() []uniformCase {
	sms := func(w *world) factor.Answer {
		c, code := w.send(w.smsID, false, w.now)
		return attempt("", c, code)
	}
	return []uniformCase{
		{"challenge/wrong code", false, func(w *world) factor.Answer {
			a := sms(w)
			a.Code = wrongDigits(a.Code)
			return a
		}},
		{"challenge/unknown user", false, func(w *world) factor.Answer {
			a := sms(w)
			a.UserID = "nobody"
			return a
		}},
		{"challenge/unknown challenge", false, func(w *world) factor.Answer { return attempt("", "no-such-id", "123456") }},
		{"challenge/another user's challenge", false, func(w *world) factor.Answer {
			_, c, code := w.bob()
			return attempt("", c, code)
		}},
		{"challenge/expired code", false, func(w *world) factor.Answer {
			c, code := w.send(w.smsID, false, w.now.Add(-6*time.Minute))
			return attempt("", c, code)
		}},
		{"challenge/reused code", false, func(w *world) factor.Answer {
			a := sms(w)
			require.NoError(w.t, factortest.Err(w.m.Verify(w.ctx, a, w.now)))
			return a
		}},
		{"challenge/replaced by a resend", false, func(w *world) factor.Answer {
			c, code := w.send(w.smsID, false, w.now.Add(-time.Minute))
			_, err := w.m.Resend(w.ctx, "alice", c, "en", w.now)
			require.NoError(w.t, err)
			return attempt("", c, code)
		}},
		{"challenge/out of tries", false, func(w *world) factor.Answer {
			a := sms(w)
			wrong := a
			wrong.Code = wrongDigits(a.Code)
			for range 5 {
				require.ErrorIs(w.t, factortest.Err(w.m.Verify(w.ctx, wrong, w.now)), factor.ErrInvalidCode)
			}
			return a
		}},
		{"challenge/keypad not answered", false, func(w *world) factor.Answer {
			c, _ := w.send(w.voiceID, true, w.now)
			return attempt("", c, "")
		}},
		{"challenge/keypad digits typed on the page", false, func(w *world) factor.Answer {
			c, digits := w.send(w.voiceID, true, w.now)
			return attempt("", c, digits)
		}},
		{"challenge/confirming a confirmed phone", true, sms},
		{"challenge/pending phone at login", false, func(w *world) factor.Answer {
			_, c, code := w.pendingPhone(factor.KindSMS, "+31611112222", "", w.now)
			return attempt("", c, code)
		}},
	}
}

// TestUniformFailureUnderRace sends the same right code from many
// goroutines at once, on both paths: one wins, and every loser gets the
// same error as a sequential replay, so a race tells no one that the code
// was right.
func TestUniformFailureUnderRace(t *testing.T) {
	for _, path := range []string{"TOTP", "challenge"} {
		t.Run(path, func(t *testing.T) {
			w := newWorld(t, factor.Policy{}, mem)
			a := attempt(w.totpID, "", codeFor(aliceSecret, w.now))
			if path == "challenge" {
				c, code := w.send(w.smsID, false, w.now)
				a = attempt("", c, code)
			}
			errs := make([]error, 8) // fewer than Lockout.Limit
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() { <-start; _, errs[i] = w.m.Verify(w.ctx, a, w.now) })
			}
			close(start)
			wg.Wait()
			wins := 0
			for _, err := range errs {
				if err == nil {
					wins++
					continue
				}
				assert.Equal(t, factor.ErrInvalidCode.Error(), err.Error())
			}
			assert.Equal(t, 1, wins)
		})
	}
}
