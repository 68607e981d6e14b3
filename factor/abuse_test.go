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

// TestAddingNeedsAFreshSecondStep: a user with a confirmed enrollment
// cannot add another without passing a second step first, so that a
// session that got past the password alone cannot add its own method.
func TestAddingNeedsAFreshSecondStep(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	_, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Label: "attacker's app"}, w.now)
	require.ErrorIs(t, err, factor.ErrStepUpRequired)
	_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "+31611112222"}, w.now)
	require.ErrorIs(t, err, factor.ErrStepUpRequired)
	_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Label: "new phone", StepUp: w.grantFor(w.now)}, w.now)
	require.NoError(t, err, "with a fresh second step")
	_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "carol", Kind: factor.KindTOTP}, w.now)
	require.ErrorIs(t, err, factor.ErrActivationRequired, "a user without any enrollment needs no second step (here: an activation code)")
}

// TestStepUpGrantsBindToTheSession: with Policy.StepUpGrants, only the
// grant of the session that passed the second step unlocks a sensitive
// change; another user's, an expired, a tampered and a missing grant are
// refused, even while another session of the same user stepped up.
func TestStepUpGrantsBindToTheSession(t *testing.T) {
	w := newWorld(t, factor.Policy{StepUpGrants: true}, mem)
	mine := w.grantFor(w.now)
	bobTOTP, _, _ := w.bob()
	bobs, err := w.m.Verify(w.ctx, factor.Answer{UserID: "bob", EnrollmentID: bobTOTP, Code: codeFor(otherSecret, w.now.Add(30*time.Second))}, w.now)
	require.NoError(t, err)
	tampered := []byte(mine)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == '_' || tampered[len(tampered)/2] == '-' {
		tampered[len(tampered)/2] = 'A'
	}
	remove := func(grant string, at time.Time) error {
		return w.m.Remove(w.ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: w.sms2ID, StepUp: grant}, at)
	}
	for name, tc := range map[string]struct {
		grant string
		at    time.Time
	}{
		"no grant, another session stepped up": {"", w.now},
		"another user's grant":                 {bobs.StepUp, w.now},
		"an expired grant":                     {mine, w.now.Add(5*time.Minute + time.Second)},
		"a tampered grant":                     {string(tampered), w.now},
		"not a grant at all":                   {"x", w.now},
	} {
		assert.ErrorIs(t, remove(tc.grant, tc.at), factor.ErrStepUpRequired, name)
	}
	_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP}, w.now)
	assert.ErrorIs(t, err, factor.ErrStepUpRequired, "adding without the session's grant")
	assert.ErrorIs(t, w.m.Disable(w.ctx, factor.DisableRequest{UserID: "alice", StepUp: bobs.StepUp}, w.now), factor.ErrStepUpRequired)
	require.NoError(t, remove(mine, w.now.Add(4*time.Minute)), "the session's own grant, within the window")
}
