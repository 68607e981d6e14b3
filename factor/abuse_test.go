package factor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// TestReplayedKeypadCallbacksCountNothing replays a keypad callback that
// once approved a challenge, twelve times after the challenge was used, and
// once more after it expired: none of them counts a failure, and the user's
// next right code passes.
func TestReplayedKeypadCallbacksCountNothing(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	challenge, digits := w.send(w.voiceID, true, w.now)
	require.NoError(t, w.m.ApproveKeypad(w.ctx, challenge, digits, w.now))
	_, err := w.m.Verify(w.ctx, factor.Answer{UserID: "alice", ChallengeID: challenge}, w.now)
	require.NoError(t, err)
	failures := w.failures()
	for i := range 12 {
		err := w.m.ApproveKeypad(w.ctx, challenge, digits, w.now.Add(time.Duration(i)*time.Second))
		require.ErrorIs(t, err, factor.ErrInvalidCode)
		err = w.m.ApproveKeypad(w.ctx, challenge, wrongDigits(digits), w.now.Add(time.Duration(i)*time.Second))
		require.ErrorIs(t, err, factor.ErrInvalidCode)
	}
	late, lateDigits := w.send(w.voiceID, true, w.now.Add(time.Minute))
	err = w.m.ApproveKeypad(w.ctx, late, wrongDigits(lateDigits), w.now.Add(time.Hour))
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	assert.Equal(t, failures, w.failures(), "a late or replayed callback counted a failure")

	at := w.now.Add(2 * time.Minute)
	_, err = w.m.Verify(w.ctx, factor.Answer{UserID: "alice", EnrollmentID: w.totpID, Code: codeFor(aliceSecret, at)}, at)
	require.NoError(t, err, "the user is not locked")
}

// TestStaleChallengeForAnotherEnrollment answers with an authenticator
// app's enrollment while a challenge sent to a phone is still named: a
// distinct error that counts nothing, and the right code then passes
// without the stale challenge.
func TestStaleChallengeForAnotherEnrollment(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	challenge, _ := w.send(w.smsID, false, w.now)
	failures := w.failures()
	right := codeFor(aliceSecret, w.now)
	_, err := w.m.Verify(w.ctx, factor.Answer{UserID: "alice", EnrollmentID: w.totpID, ChallengeID: challenge, Code: right}, w.now)
	require.ErrorIs(t, err, factor.ErrChallengeMismatch)
	require.ErrorIs(t, err, factor.ErrMalformed)
	assert.NotErrorIs(t, err, factor.ErrInvalidCode)
	assert.Equal(t, failures, w.failures())
	res, err := w.m.Verify(w.ctx, factor.Answer{UserID: "alice", EnrollmentID: w.totpID, Code: right}, w.now)
	require.NoError(t, err)
	assert.Equal(t, w.totpID, res.EnrollmentID)
	assert.Equal(t, factor.KindTOTP, res.Kind)
}

// TestDeliveredCodeWithoutChallenge verifies an SMS enrollment as if it
// were an authenticator app: the error says a challenge is needed.
func TestDeliveredCodeWithoutChallenge(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	_, code := w.send(w.smsID, false, w.now)
	_, err := w.m.Verify(w.ctx, factor.Answer{UserID: "alice", EnrollmentID: w.smsID, Code: code}, w.now)
	require.ErrorIs(t, err, factor.ErrChallengeRequired)
}

// TestResetRevokesTheActivationCode: an admin reset that issues no new
// activation code leaves the outstanding one unusable.
func TestResetRevokesTheActivationCode(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	code, err := w.m.IssueActivationCode(w.ctx, "bob", "desk", w.now)
	require.NoError(t, err)
	_, err = w.m.Reset(w.ctx, factor.ResetRequest{UserID: "bob", Actor: "admin", Reason: "left the company"}, w.now.Add(time.Minute))
	require.NoError(t, err)
	err = w.m.Activate(w.ctx, "bob", code, w.now.Add(2*time.Minute))
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	require.ErrorIs(t, err, factor.ErrActivationExpired)

	fresh, err := w.m.Reset(w.ctx, factor.ResetRequest{UserID: "bob", Actor: "admin", IssueActivationCode: true}, w.now.Add(3*time.Minute))
	require.NoError(t, err)
	require.NoError(t, w.m.Activate(w.ctx, "bob", fresh, w.now.Add(4*time.Minute)), "a reset that issues a code issues a usable one")
}
