package factor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/totp"
)

// accountBook is the host's directory of account addresses.
type accountBook map[string]string

func (b accountBook) AccountEmail(_ context.Context, userID string) (string, error) {
	if userID == "broken" {
		return "", errors.New("directory down")
	}
	if a, ok := b[userID]; ok {
		return a, nil
	}
	return "", factor.ErrNotFound
}

type accountWorld struct {
	m      *factor.Manager
	sender *factortest.RecordingSender
	now    time.Time
}

func newAccountWorld(t *testing.T, book accountBook) *accountWorld {
	t.Helper()
	mail, err := email.New(email.Config{AppName: "Zorgportaal"})
	require.NoError(t, err)
	app, err := totp.New(totp.Config{Issuer: "Zorgportaal"})
	require.NoError(t, err)
	w := &accountWorld{sender: &factortest.RecordingSender{}, now: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	w.m, err = factor.NewManager(factor.Config{
		Store: memstore.New(), Sender: w.sender, Factors: []factor.Factor{app, mail},
		AccountEmails: book, Policy: factor.Policy{Required: true, StepUpGrants: true},
	})
	require.NoError(t, err)
	return w
}

// login sends a code to the account address and enters it.
func (w *accountWorld) login(t *testing.T, userID string) factor.Result {
	t.Helper()
	sent, err := w.m.Challenge(context.Background(), factor.ChallengeRequest{UserID: userID, EnrollmentID: factor.AccountEmailID, Language: "nl"}, w.now)
	require.NoError(t, err)
	msg, ok := w.sender.Last()
	require.True(t, ok)
	res, err := w.m.Verify(context.Background(), factor.Answer{UserID: userID, ChallengeID: sent.ChallengeID, Code: msg.Code}, w.now)
	require.NoError(t, err)
	return res
}

func TestAccountEmailIsTheMethodOfAUserWithNothingElse(t *testing.T) {
	ctx := context.Background()
	w := newAccountWorld(t, accountBook{"caren": "caren@example.nl"})

	st, err := w.m.Status(ctx, factor.StatusRequest{UserID: "caren"}, w.now)
	require.NoError(t, err)
	assert.True(t, st.Enabled, "a login asks for a second step")
	assert.True(t, st.AccountEmail)
	assert.False(t, st.CanSkip)
	assert.Empty(t, st.Enrollments, "nothing is stored")
	require.Len(t, st.Offer, 1)
	assert.Equal(t, factor.AccountEmailID, st.Offer[0].ID)
	assert.Equal(t, factor.KindEmail, st.Offer[0].Kind)
	assert.NotContains(t, st.Offer[0].Masked, "caren@", "the page sees the address masked")
	assert.Equal(t, []factor.Kind{factor.KindTOTP}, st.Kinds, "email is the method already")

	res := w.login(t, "caren")
	assert.Equal(t, factor.AccountEmailID, res.EnrollmentID)
	assert.NotEmpty(t, res.StepUp, "the code counts as a step-up")
	msg, _ := w.sender.Last()
	assert.Equal(t, "caren@example.nl", msg.To)

	// Adding an authenticator app needs that step-up: the password alone
	// must not add a method that then skips the email code.
	_, err = w.m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindTOTP}, w.now)
	require.ErrorIs(t, err, factor.ErrStepUpRequired)
	en, err := w.m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindTOTP, Secret: rfcSecret, StepUp: res.StepUp}, w.now)
	require.NoError(t, err)

	// A code sent before the app was confirmed stops working with it.
	w.now = w.now.Add(time.Minute)
	sent, err := w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now)
	require.NoError(t, err)
	pending, _ := w.sender.Last()
	conf, err := w.m.Confirm(ctx, factor.Answer{UserID: "caren", EnrollmentID: en.ID, Code: code(w.now)}, w.now)
	require.NoError(t, err)
	assert.True(t, conf.Enabled, "the first method the user set up turns two-step verification on")

	_, err = w.m.Verify(ctx, factor.Answer{UserID: "caren", ChallengeID: sent.ChallengeID, Code: pending.Code}, w.now)
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	_, err = w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now.Add(time.Minute))
	require.ErrorIs(t, err, factor.ErrNotFound)
	st, err = w.m.Status(ctx, factor.StatusRequest{UserID: "caren"}, w.now)
	require.NoError(t, err)
	assert.False(t, st.AccountEmail)
	require.Len(t, st.Offer, 1)
	assert.Equal(t, en.ID, st.Offer[0].ID)
}

func TestAccountEmailWrongCodesCountLikeAnyOther(t *testing.T) {
	ctx := context.Background()
	w := newAccountWorld(t, accountBook{"caren": "caren@example.nl"})
	sent, err := w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now)
	require.NoError(t, err)
	msg, _ := w.sender.Last()
	wrong := "000000"
	if msg.Code == wrong {
		wrong = "111111"
	}
	_, err = w.m.Verify(ctx, factor.Answer{UserID: "caren", ChallengeID: sent.ChallengeID, Code: wrong}, w.now)
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	res, err := w.m.Verify(ctx, factor.Answer{UserID: "caren", ChallengeID: sent.ChallengeID, Code: msg.Code}, w.now)
	require.NoError(t, err)
	assert.Equal(t, factor.KindEmail, res.Kind)
	_, err = w.m.Verify(ctx, factor.Answer{UserID: "caren", ChallengeID: sent.ChallengeID, Code: msg.Code}, w.now)
	require.ErrorIs(t, err, factor.ErrInvalidCode, "a code is accepted once")
}

func TestAccountEmailAbsentOrFailing(t *testing.T) {
	ctx := context.Background()
	w := newAccountWorld(t, accountBook{"noaddress": ""})
	for _, user := range []string{"unknown", "noaddress"} {
		st, err := w.m.Status(ctx, factor.StatusRequest{UserID: user}, w.now)
		require.NoError(t, err, user)
		assert.False(t, st.Enabled, user)
		assert.Empty(t, st.Offer, user)
		_, err = w.m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: factor.AccountEmailID}, w.now)
		require.ErrorIs(t, err, factor.ErrNotFound, user)
	}
	_, err := w.m.Status(ctx, factor.StatusRequest{UserID: "broken"}, w.now)
	require.Error(t, err, "a directory that fails is not a user without an address")
	assert.NotErrorIs(t, err, factor.ErrNotFound)
	assert.Zero(t, w.sender.Count())
}

func TestAccountEmailNeedsStepUpGrants(t *testing.T) {
	mail, err := email.New(email.Config{})
	require.NoError(t, err)
	_, err = factor.NewManager(factor.Config{Store: memstore.New(), Sender: &factortest.RecordingSender{}, Factors: []factor.Factor{mail}, AccountEmails: accountBook{}})
	var ce *factor.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "AccountEmails", ce.Field)
}

func TestAccountEmailCooldownIsPerUser(t *testing.T) {
	ctx := context.Background()
	w := newAccountWorld(t, accountBook{"caren": "caren@example.nl", "cor": "cor@example.nl"})
	for _, user := range []string{"caren", "cor"} {
		_, err := w.m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: factor.AccountEmailID}, w.now)
		require.NoError(t, err, "%s's code does not wait for another user's", user)
	}
	_, err := w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now)
	var rl *factor.RateLimitError
	require.ErrorAs(t, err, &rl, "a user's own second code waits")
	assert.Equal(t, "resend", rl.Scope)

	// Forget erases the budgets of the account's address too: the next
	// account with this user ID starts afresh.
	require.NoError(t, w.m.Forget(ctx, "caren", "admin", w.now))
	_, err = w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now)
	require.NoError(t, err)
}
