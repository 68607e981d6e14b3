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

// Replacing an enrollment that was never confirmed is adding one: the
// password alone must not swap an abandoned set-up for the attacker's own
// authenticator app and take the account over.
func TestReplacingAPendingEnrollmentNeedsAStepUp(t *testing.T) {
	ctx := context.Background()
	w := newAccountWorld(t, accountBook{"caren": "caren@example.nl"})
	res := w.login(t, "caren")
	abandoned, err := w.m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindTOTP, StepUp: res.StepUp}, w.now)
	require.NoError(t, err)

	_, err = w.m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindTOTP, Secret: rfcSecret, Replaces: abandoned.ID}, w.now.Add(time.Minute))
	require.ErrorIs(t, err, factor.ErrStepUpRequired, "a live pending enrollment")
	_, err = w.m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindTOTP, Secret: rfcSecret, Replaces: abandoned.ID}, w.now.Add(24*time.Hour))
	require.ErrorIs(t, err, factor.ErrNotFound, "a lapsed one is gone")

	_, err = w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now.Add(24*time.Hour))
	require.NoError(t, err, "the user's own method still works")
}

// ctxStore fails DeleteDevices on a context that is done, as a database
// driver does.
type ctxStore struct{ *memstore.Store }

func (s ctxStore) DeleteDevices(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.Store.DeleteDevices(ctx, userID)
}

type hangingSender struct{}

func (hangingSender) Send(ctx context.Context, _ factor.Message) error {
	<-ctx.Done()
	return ctx.Err()
}

// A change revokes trusted devices even when a slow notifier used up the
// caller's deadline.
func TestSlowNotifierCannotKeepDevicesTrusted(t *testing.T) {
	st := ctxStore{memstore.New()}
	notices, err := email.NewNotices(email.NoticeConfig{
		Recipients: func(context.Context, string) (email.Recipient, error) {
			return email.Recipient{Address: "a@example.nl"}, nil
		},
		Sender: hangingSender{}, Enrollments: st, Timeout: 300 * time.Millisecond,
	})
	require.NoError(t, err)
	m, err := factor.NewManager(factor.Config{Store: st, Sender: hangingSender{}, Factors: []factor.Factor{fakePhone{factor.KindSMS}}, Notifier: notices})
	require.NoError(t, err)
	e, err := m.Enroll(context.Background(), factor.EnrollRequest{UserID: "u", Kind: factor.KindSMS, Address: "+31612345678"}, t0)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond) // the host's handler deadline
	defer cancel()
	err = m.Remove(ctx, factor.RemoveRequest{UserID: "u", EnrollmentID: e.ID}, t0)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "devices revoked whatever the notifier took: %v", err)
}

// Forget erases the account address's resend cooldown also when the host
// deleted the account first.
func TestForgetAfterTheAccountIsGone(t *testing.T) {
	ctx := context.Background()
	book := accountBook{"caren": "caren@example.nl"}
	w := newAccountWorld(t, book)
	_, err := w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now)
	require.NoError(t, err)
	delete(book, "caren")
	require.NoError(t, w.m.Forget(ctx, "caren", "admin", w.now))
	book["caren"] = "new@example.nl" // a new account under the same ID
	_, err = w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: factor.AccountEmailID}, w.now)
	require.NoError(t, err)
}

// Status and Enroll agree on activation for a user whose account address
// serves as the method: the code comes before the first stored method.
func TestActivationWithAccountEmail(t *testing.T) {
	ctx := context.Background()
	mail, err := email.New(email.Config{AppName: "Z"})
	require.NoError(t, err)
	app, err := totp.New(totp.Config{Issuer: "Z"})
	require.NoError(t, err)
	w := &accountWorld{sender: &factortest.RecordingSender{}, now: t0}
	w.m, err = factor.NewManager(factor.Config{
		Store: memstore.New(), Sender: w.sender, Factors: []factor.Factor{app, mail},
		AccountEmails: accountBook{"caren": "caren@example.nl"}, Policy: factor.Policy{Required: true, StepUpGrants: true, RequireActivation: true},
	})
	require.NoError(t, err)
	st, err := w.m.Status(ctx, factor.StatusRequest{UserID: "caren"}, w.now)
	require.NoError(t, err)
	assert.True(t, st.NeedsActivation)
	res := w.login(t, "caren")
	_, err = w.m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindTOTP, StepUp: res.StepUp}, w.now)
	require.ErrorIs(t, err, factor.ErrActivationRequired)
}
