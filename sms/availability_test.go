package sms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/message/messagetest"
)

// TestRefusalsCostNothing: one user with many pending numbers and 200
// other users ask for 1,100 codes in one minute, nearly all refused; the
// refusals charge no window, so another user's login code in that minute
// goes out.
func TestRefusalsCostNothing(t *testing.T) {
	env := newEnv(t, factor.Config{MaxPending: 20})
	victim := env.EnrollConfirmed(t, "victim", factor.KindSMS, "06-23456789")
	env.Clock.Set(env.Now().Truncate(time.Minute).Add(time.Minute))
	var ids []string
	for i := range 20 {
		ids = append(ids, env.Enroll(t, "flooder", factor.KindSMS, fmt.Sprintf("06-12%06d", i)).ID)
	}
	others := make([]string, 200)
	for i := range others {
		others[i] = env.Enroll(t, fmt.Sprintf("other-%d", i), factor.KindSMS, "06-55555555").ID
	}
	refused := 0
	for i := range 1100 {
		at := env.Now().Add(time.Duration(i) * 50 * time.Millisecond) // all within the minute
		var err error
		if i < 900 {
			_, err = env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: "flooder", EnrollmentID: ids[i%len(ids)]}, at)
		} else {
			_, err = env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: fmt.Sprintf("other-%d", i-900), EnrollmentID: others[i-900]}, at)
		}
		if errors.Is(err, factor.ErrRateLimited) {
			refused++
		}
	}
	require.Greater(t, refused, 1000, "nearly every request was refused")
	at := env.Now().Add(56 * time.Second)
	_, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: "victim", EnrollmentID: victim.ID}, at)
	assert.NoError(t, err, "another user's code in the same minute goes out")

	_, err = env.M.Enroll(context.Background(), factor.EnrollRequest{UserID: "flooder", Kind: factor.KindSMS, Address: "06-22222222"}, at)
	assert.ErrorIs(t, err, factor.ErrTooManyPending, "the 21st pending number")
}

// TestRefusedResendsDoNotPunish: after the hourly limit, six refused
// resends cost nothing, and the next hour the user gets a code.
func TestRefusedResendsDoNotPunish(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	env.Clock.Set(env.Now().Truncate(time.Hour).Add(time.Hour))
	sent, _ := env.Challenge(t, user, e.ID, false)
	for range 4 {
		env.Clock.Advance(30 * time.Second)
		_, err := env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", env.Now())
		require.NoError(t, err)
	}
	for range 6 {
		env.Clock.Advance(time.Minute)
		_, err := env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", env.Now())
		var rl *factor.RateLimitError
		require.ErrorAs(t, err, &rl)
		require.Equal(t, "destination", rl.Scope)
	}
	env.Clock.Set(env.Now().Truncate(time.Hour).Add(time.Hour))
	_, err := env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", env.Now())
	assert.NoError(t, err, "only texts that went out count")
}

// TestPendingNumberCannotHurtItsOwner: an attacker enrols the victim's
// confirmed number as a pending method of their own and asks for codes
// all day: at most 5 reach the number, and the victim's own login codes go
// out whenever the victim's own limits allow.
func TestPendingNumberCannotHurtItsOwner(t *testing.T) {
	env := newEnv(t, factor.Config{Budget: factor.Budget{PerUserDay: -1}})
	victim := env.EnrollConfirmed(t, "victim", factor.KindSMS, "06-12345678")
	day := env.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)
	env.Clock.Set(day)
	atVictim := func() int {
		n := 0
		for _, m := range env.Sender.Messages() {
			if m.To == "+31612345678" && !m.SentAt.Before(day) {
				n++
			}
		}
		return n
	}
	attackerTexts := 0
	for h := range 24 {
		for i := range 3 {
			at := day.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Minute)
			e, err := env.M.Enroll(context.Background(), factor.EnrollRequest{UserID: fmt.Sprintf("attacker-%d-%d", h, i), Kind: factor.KindSMS, Address: "06-12345678"}, at)
			require.NoError(t, err)
			before := atVictim()
			_, err = env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: e.UserID, EnrollmentID: e.ID}, at)
			if err == nil {
				attackerTexts += atVictim() - before
			}
		}
		at := day.Add(time.Duration(h)*time.Hour + 30*time.Minute)
		if h%4 == 0 { // the victim logs in six times a day
			_, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: "victim", EnrollmentID: victim.ID}, at)
			require.NoError(t, err, "the victim's login code at %v", at)
		}
	}
	assert.LessOrEqual(t, attackerTexts, 5, "texts from pending enrollments to the number in a day")
}

// TestCertainFailureKeepsThePreviousCode: when the provider refuses a
// resend outright, the previous code stays valid, no cooldown starts and
// no budget is spent; after a timeout the challenge is burnt as before.
func TestCertainFailureKeepsThePreviousCode(t *testing.T) {
	env := newEnv(t, factor.Config{Budget: factor.Budget{PerDestinationHour: 4}})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	env.Clock.Set(env.Now().Truncate(time.Hour).Add(time.Hour))
	sent, code := env.Challenge(t, user, e.ID, false)
	env.Sender.SetErr(&delivery.Error{Provider: "twilio", Status: 400, Err: delivery.ErrRefused})
	for range 3 {
		env.Clock.Advance(30 * time.Second)
		_, err := env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", env.Now())
		require.ErrorIs(t, err, factor.ErrDelivery)
	}
	env.Sender.SetErr(nil)
	_, err := env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", env.Now())
	require.NoError(t, err, "no cooldown and no budget spent by the refusals")
	env.Clock.Advance(30 * time.Second)
	env.Sender.SetErr(&delivery.Error{Provider: "twilio", Status: 400, Err: delivery.ErrRefused})
	fresh := env.LastCode(t)
	_, err = env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", env.Now())
	require.ErrorIs(t, err, factor.ErrDelivery)
	require.NotEqual(t, code, fresh)
	_, err = env.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: fresh}, env.Now())
	assert.NoError(t, err, "the code sent before the refused resend still works")

	env.Sender.SetErr(nil)
	sent, _ = env.Challenge(t, user, e.ID, false)
	env.Sender.SetErr(&delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: timeout", delivery.ErrUnavailable)})
	env.Clock.Advance(30 * time.Second)
	code = env.LastCode(t)
	_, err = env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", env.Now())
	require.ErrorIs(t, err, factor.ErrDelivery)
	_, err = env.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, env.Now())
	assert.ErrorIs(t, err, factor.ErrInvalidCode, "after a send that may have arrived, no code is usable")
}

// TestPhoneOnlyUserIsNeverRefused simulates 30 days of a user whose only
// methods are two phone numbers: six logins a day, each with one resend,
// alternating numbers. No code is ever refused.
func TestPhoneOnlyUserIsNeverRefused(t *testing.T) {
	env := newEnv(t, factor.Config{})
	first := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	second := enrolSecond(t, env, first, "06-87654321")
	start := env.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)
	for day := range 30 {
		for login := range 6 {
			id := []string{first.ID, second.ID}[login%2]
			at := start.Add(time.Duration(day)*24*time.Hour + time.Duration(7+2*login)*time.Hour)
			sent, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: user, EnrollmentID: id}, at)
			require.NoError(t, err, "day %d, login %d", day, login)
			at = at.Add(45 * time.Second)
			_, err = env.M.Resend(context.Background(), user, sent.ChallengeID, "nl", at)
			require.NoError(t, err, "day %d, login %d, resend", day, login)
			_, err = env.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: env.LastCode(t)}, at)
			require.NoError(t, err)
		}
	}
}

// enrolSecond adds a second number for user, with the fresh second step
// that adding a method asks for.
func enrolSecond(t *testing.T, env *messagetest.Env, first *factor.Enrollment, number string) *factor.Enrollment {
	t.Helper()
	sent, code := env.Challenge(t, user, first.ID, false)
	_, err := env.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, env.Now())
	require.NoError(t, err)
	return env.EnrollConfirmed(t, user, factor.KindSMS, number)
}
