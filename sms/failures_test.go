package sms_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/totp"
)

// TestSharedFailures: 9 wrong SMS codes, with a resend in between, and one
// wrong authenticator code lock the user; the resend reset nothing, and
// while locked not even the right code is accepted.
func TestSharedFailures(t *testing.T) {
	tf, err := totp.New(totp.Config{Issuer: "x"})
	require.NoError(t, err)
	env := newEnv(t, factor.Config{Factors: []factor.Factor{tf}})
	ctx := context.Background()
	app := env.EnrollTOTP(t, user)
	phone := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")

	sent, code := env.Challenge(t, user, phone.ID, false)
	for range 5 {
		require.ErrorIs(t, verify(env, sent.ChallengeID, wrong(code)), factor.ErrInvalidCode)
	}
	env.Clock.Advance(31 * time.Second)
	_, err = env.M.Resend(ctx, user, sent.ChallengeID, "", env.Now())
	require.NoError(t, err)
	code = env.LastCode(t)
	for range 4 {
		require.ErrorIs(t, verify(env, sent.ChallengeID, wrong(code)), factor.ErrInvalidCode)
	}

	badTOTP := wrong(messagetest.TOTPCode(app.Secret, env.Now()))
	env.Secret(badTOTP)
	_, err = env.M.Verify(ctx, factor.Answer{UserID: user, EnrollmentID: app.ID, Code: badTOTP}, env.Now())
	var locked *factor.LockedError
	require.ErrorAs(t, err, &locked, "the 10th failure, on another factor, locks")
	assert.Equal(t, 15*time.Minute, locked.RetryAfter)

	assert.ErrorIs(t, verify(env, sent.ChallengeID, code), factor.ErrLocked, "the right code is not even compared")
	good := messagetest.TOTPCode(app.Secret, env.Now())
	env.Secret(good)
	_, err = env.M.Verify(ctx, factor.Answer{UserID: user, EnrollmentID: app.ID, Code: good}, env.Now())
	assert.ErrorIs(t, err, factor.ErrLocked)

	env.Clock.Advance(31 * time.Second)
	_, err = env.M.Resend(ctx, user, sent.ChallengeID, "", env.Now())
	require.NoError(t, err, "a locked user may still receive a code")
	assert.ErrorIs(t, verify(env, sent.ChallengeID, env.LastCode(t)), factor.ErrLocked, "and a resend does not unlock")
}

// TestResendKeepsFailureCount: failures before a resend still count after
// it.
func TestResendKeepsFailureCount(t *testing.T) {
	env := newEnv(t, factor.Config{Lockout: factor.Lockout{Limit: 7}})
	phone := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, code := env.Challenge(t, user, phone.ID, false)
	for range 5 {
		require.ErrorIs(t, verify(env, sent.ChallengeID, wrong(code)), factor.ErrInvalidCode)
	}
	env.Clock.Advance(30 * time.Second)
	_, err := env.M.Resend(context.Background(), user, sent.ChallengeID, "", env.Now())
	require.NoError(t, err)
	code = env.LastCode(t)
	require.ErrorIs(t, verify(env, sent.ChallengeID, wrong(code)), factor.ErrInvalidCode)
	require.ErrorIs(t, verify(env, sent.ChallengeID, wrong(code)), factor.ErrLocked, "7 failures in all")
}
