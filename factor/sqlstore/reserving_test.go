package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
)

// The one-step login (factor.ReservingStore) through the Manager on both
// dialects: it keeps the order of the two-call path, so a malformed code
// counts nothing, an unknown or foreign enrollment fails like a wrong code
// and is counted, and a locked user's right code is neither compared nor
// used.
func TestReservingLogin(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.newStore(t)
			m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k")})
			alice := enrolTOTP(t, m, "alice", at(0))
			bob := enrolTOTP(t, m, "bob", at(0))
			failures := func(user string) int {
				t.Helper()
				a, err := s.ReserveAttempt(ctx, user, at(1))
				require.NoError(t, err)
				require.NoError(t, s.ResetAttempts(ctx, user))
				return a.Failures - 1
			}

			for _, code := range []string{"12a456", "1234567", "12345"} {
				var in *factor.InputError
				require.ErrorAs(t, verifyTOTP(m, alice, code, at(1)), &in, "malformed %q", code)
				assert.Zero(t, failures("alice"), "malformed %q counts nothing", code)
			}

			unknown := factor.Answer{UserID: "alice", EnrollmentID: "no-such-enrollment", Code: "123456"}
			require.ErrorIs(t, factortest.Err(m.Verify(ctx, unknown, at(1))), factor.ErrInvalidCode)
			assert.Equal(t, 1, failures("alice"), "an unknown enrollment counts like a wrong code")
			unknown.Code = "12a456"
			require.ErrorIs(t, factortest.Err(m.Verify(ctx, unknown, at(1))), factor.ErrInvalidCode,
				"as on the two-call path, an unknown enrollment's code is not normalised")
			assert.Equal(t, 1, failures("alice"))

			foreign := factor.Answer{UserID: "alice", EnrollmentID: bob.ID, Code: totpCode(bob.Secret, at(1))}
			require.ErrorIs(t, factortest.Err(m.Verify(ctx, foreign, at(1))), factor.ErrInvalidCode)
			assert.Equal(t, 1, failures("alice"), "another user's enrollment counts like a wrong code")
			assert.Zero(t, failures("bob"))
			require.NoError(t, verifyTOTP(m, bob, totpCode(bob.Secret, at(1)), at(1)), "bob's code was not used")

			for i := 1; i < failureLimit; i++ {
				require.ErrorIs(t, verifyTOTP(m, alice, wrongCode(alice.Secret, at(1), i), at(1)), factor.ErrInvalidCode)
			}
			var locked *factor.LockedError
			require.ErrorAs(t, verifyTOTP(m, alice, wrongCode(alice.Secret, at(1), 0), at(1)), &locked, "the last allowed failure locks")
			before, err := s.GetEnrollment(ctx, "alice", alice.ID)
			require.NoError(t, err)
			require.ErrorAs(t, verifyTOTP(m, alice, totpCode(alice.Secret, at(1)), at(1)), &locked)
			after, err := s.GetEnrollment(ctx, "alice", alice.ID)
			require.NoError(t, err)
			assert.Equal(t, before.Version, after.Version, "a locked user's right code is not used")

			require.NoError(t, m.Unlock(ctx, factor.UnlockRequest{UserID: "alice", Actor: "desk"}, at(1)))
			require.NoError(t, verifyTOTP(m, alice, totpCode(alice.Secret, at(1)), at(1)), "nor spent")
		})
	}
}

// eightChars is a factor whose codes are eight characters, so that a TOTP
// code is malformed for it.
type eightChars struct{}

func (eightChars) Kind() factor.Kind { return "eight" }

func (eightChars) Verify(context.Context, *factor.Enrollment, string, time.Time) error {
	return fmt.Errorf("eight: %w", factor.ErrInvalidCode)
}

func (eightChars) NormalizeCode(code string) (string, error) {
	if len(code) != 8 {
		return "", errors.New("eight: not eight characters")
	}
	return code, nil
}

// TestReservingNeedsEveryNormalizer checks that the one-step login is taken
// only for codes every configured factor finds well-formed: with a factor
// that refuses six-digit codes beside TOTP, a TOTP login takes the
// two-call path, three statements on PostgreSQL, and still succeeds. On
// SQLite, whose ReserveAttemptGetEnrollment makes the same two calls, both
// paths cost four, the verified save being a transaction of two.
func TestReservingNeedsEveryNormalizer(t *testing.T) {
	want := map[sqlstore.Dialect]struct{ right, wrong int64 }{
		sqlstore.Postgres: {right: 3, wrong: 2},
		sqlstore.SQLite:   {right: 4, wrong: 2},
	}
	for _, ct := range countedTargets() {
		t.Run(ct.name, func(t *testing.T) {
			s, c := ct.counted(t)
			m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k")}, newApp(t), eightChars{})
			e := enrolTOTP(t, m, "alice", at(0))
			w := want[ct.dialect]

			stmts0, _ := c.snapshot()
			require.NoError(t, verifyTOTP(m, e, totpCode(e.Secret, at(1)), at(1)))
			stmts, _ := c.snapshot()
			assert.Equal(t, w.right, stmts-stmts0, "statements for a right code")

			stmts0, _ = c.snapshot()
			require.ErrorIs(t, verifyTOTP(m, e, wrongCode(e.Secret, at(2), 0), at(2)), factor.ErrInvalidCode)
			stmts, _ = c.snapshot()
			assert.Equal(t, w.wrong, stmts-stmts0, "statements for a wrong code")
		})
	}
}
