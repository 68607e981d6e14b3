package email_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/totp"
)

const user = "alice"

func newEnv(t *testing.T, codes factor.DeliveredCodes) *messagetest.Env {
	t.Helper()
	tf, err := totp.New(totp.Config{Issuer: "x"})
	require.NoError(t, err)
	sf, err := sms.New(sms.Config{})
	require.NoError(t, err)
	return messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{newFactor(t, email.Config{AppName: "Acme"}), tf, sf}, Codes: codes})
}

func enroll(env *messagetest.Env, addr string) (*factor.Enrollment, error) {
	env.Secret(addr)
	en, err := env.M.Enroll(context.Background(), factor.EnrollRequest{UserID: user, Kind: factor.KindEmail, Address: addr}, env.Now())
	if err != nil {
		return nil, err
	}
	return &en.Enrollment, nil
}

func challenge(env *messagetest.Env, enrollmentID string) error {
	_, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: user, EnrollmentID: enrollmentID}, env.Now())
	return err
}

func TestEmailWithoutOtherFactor(t *testing.T) {
	env := newEnv(t, factor.DeliveredCodes{})
	e := env.EnrollConfirmed(t, user, factor.KindEmail, "alice@example.com")
	sent, code := env.Challenge(t, user, e.ID, false)
	require.NoError(t, factortest.Err(env.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, env.Now())))
	m, _ := env.Sender.Last()
	assert.Equal(t, "alice@example.com", m.To)
	assert.NotEmpty(t, m.Subject)
	assert.NotEmpty(t, m.HTML)

	_, err := env.M.Enroll(context.Background(), factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP}, env.Now())
	require.NoError(t, err)
	env.Clock.Advance(time.Minute)
	assert.NoError(t, challenge(env, e.ID), "a pending authenticator app is no other factor yet")
}

func TestEmailRefusedBesideOtherFactor(t *testing.T) {
	tests := []struct {
		name  string
		other func(t *testing.T, env *messagetest.Env)
	}{
		{"authenticator app", func(t *testing.T, env *messagetest.Env) { env.EnrollTOTP(t, user) }},
		{"phone", func(t *testing.T, env *messagetest.Env) {
			env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, factor.DeliveredCodes{})
			existing := env.EnrollConfirmed(t, user, factor.KindEmail, "alice@example.com")
			tt.other(t, env)
			sends := env.Sender.Count()

			_, err := enroll(env, "alice@work.example.com")
			require.ErrorIs(t, err, factor.ErrNotAllowed, "enrolling email")
			assert.Contains(t, err.Error(), "only a fallback")
			assert.ErrorIs(t, challenge(env, existing.ID), factor.ErrNotAllowed, "challenging email")
			assert.Equal(t, sends, env.Sender.Count(), "nothing sent")
		})
	}
}

func TestEmailAlongside(t *testing.T) {
	env := newEnv(t, factor.DeliveredCodes{EmailAlongside: true})
	env.EnrollTOTP(t, user)
	e := env.EnrollConfirmed(t, user, factor.KindEmail, "alice@example.com")
	sent, code := env.Challenge(t, user, e.ID, false)
	assert.NoError(t, factortest.Err(env.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, env.Now())))
}

func TestEmailTTL(t *testing.T) {
	env := newEnv(t, factor.DeliveredCodes{EmailTTL: 30 * time.Minute})
	e := env.Enroll(t, user, factor.KindEmail, "alice@example.com")
	sent, _ := env.Challenge(t, user, e.ID, false)
	assert.Equal(t, env.Now().Add(30*60*1e9), sent.ExpiresAt)
	m, _ := env.Sender.Last()
	assert.Contains(t, m.Text, "valid for 30 minutes", "no language given: English, as factor.UserMessage")
}
