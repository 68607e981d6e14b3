package sms_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/sms"
)

const user = "alice"

// newEnv returns an Env with the SMS factor and a seeded random source, so
// that codes are reproducible and two codes in one test differ.
func newEnv(t testing.TB, cfg factor.Config) *messagetest.Env {
	t.Helper()
	f, err := sms.New(sms.Config{AppName: "Acme"})
	require.NoError(t, err)
	cfg.Factors = append(cfg.Factors, f)
	if cfg.Rand == nil {
		cfg.Rand = rand.NewChaCha8([32]byte{1})
	}
	return messagetest.NewEnv(t, cfg)
}

// wrong returns a code of the same length that is not code.
func wrong(code string) string {
	b := []byte(code)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
	return string(b)
}

func verify(env *messagetest.Env, challengeID, code string) error {
	return factortest.Err(env.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: challengeID, Code: code}, env.Now()))
}

func TestEnrollConfirmVerify(t *testing.T) {
	env := newEnv(t, factor.Config{})
	ctx := context.Background()
	e := env.Enroll(t, user, factor.KindSMS, "06-12345678")
	assert.Equal(t, "+31612345678", e.Address)
	assert.False(t, e.Confirmed)

	sent, code := env.Challenge(t, user, e.ID, false)
	assert.Len(t, code, 6)
	assert.Equal(t, env.Now().Add(5*time.Minute), sent.ExpiresAt)
	assert.Equal(t, env.Now().Add(30*time.Second), sent.ResendAt)
	assert.Empty(t, sent.ScreenDigits)
	require.ErrorIs(t, verify(env, sent.ChallengeID, code), factor.ErrInvalidCode, "a pending number does not log in")

	sent, code = env.Challenge(t, user, e.ID, false)
	require.NoError(t, factortest.Err(env.M.Confirm(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, env.Now())))
	list, err := env.M.Enrollments(ctx, user, env.Now())
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.True(t, list[0].Confirmed)
	assert.True(t, list[0].Primary, "the first confirmed number is primary")

	sent, code = env.Challenge(t, user, e.ID, false)
	require.NoError(t, verify(env, sent.ChallengeID, code))
	require.ErrorIs(t, verify(env, sent.ChallengeID, code), factor.ErrInvalidCode, "a code is accepted once")
	m, _ := env.Sender.Last()
	assert.Equal(t, factor.KindSMS, m.Kind)
	assert.Equal(t, "+31612345678", m.To)
	assert.Equal(t, sent.ChallengeID, m.ChallengeID)
	assert.Equal(t, "en", m.Language, "no language given: the fallback of factor.UserMessage")
	assert.Contains(t, m.Text, code)
}

func TestCodeRefusedAtTTL(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, code := env.Challenge(t, user, e.ID, false)
	env.Clock.Advance(5 * time.Minute)
	assert.ErrorIs(t, verify(env, sent.ChallengeID, code), factor.ErrInvalidCode, "refused at exactly the TTL")

	sent, code = env.Challenge(t, user, e.ID, false)
	env.Clock.Advance(5*time.Minute - time.Nanosecond)
	assert.NoError(t, verify(env, sent.ChallengeID, code), "accepted just before it")
}

func TestSixthTryRefused(t *testing.T) {
	env := newEnv(t, factor.Config{Lockout: factor.Lockout{Limit: 20}})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, code := env.Challenge(t, user, e.ID, false)
	for range 5 {
		require.ErrorIs(t, verify(env, sent.ChallengeID, wrong(code)), factor.ErrInvalidCode)
	}
	assert.ErrorIs(t, verify(env, sent.ChallengeID, code), factor.ErrInvalidCode, "the 6th try is refused, even when right")
	state, err := env.M.ChallengeStatus(context.Background(), user, sent.ChallengeID, env.Now())
	require.NoError(t, err)
	assert.Equal(t, factor.ChallengeExpired, state)

	sent, code = env.Challenge(t, user, e.ID, false)
	for range 4 {
		require.ErrorIs(t, verify(env, sent.ChallengeID, wrong(code)), factor.ErrInvalidCode)
	}
	assert.NoError(t, verify(env, sent.ChallengeID, code), "the 5th try still counts")
}

func TestMalformedCodeCountsNothing(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, code := env.Challenge(t, user, e.ID, false)
	for _, bad := range []string{"12345", "1234567", "12a456", "１２３４５６", "123456789012345678901234567890123456789012345678901234567890123456"} {
		require.ErrorIs(t, verify(env, sent.ChallengeID, bad), factor.ErrMalformed, bad)
	}
	assert.NoError(t, verify(env, sent.ChallengeID, code[:3]+" "+code[3:]), "spaces are ignored")
}

func TestResend(t *testing.T) {
	env := newEnv(t, factor.Config{})
	ctx := context.Background()
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, old := env.Challenge(t, user, e.ID, false)
	sends := env.Sender.Count()

	env.Clock.Advance(10 * time.Second)
	_, err := env.M.Resend(ctx, user, sent.ChallengeID, "", env.Now())
	var rl *factor.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.ErrorIs(t, err, factor.ErrRateLimited)
	assert.Equal(t, "resend", rl.Scope)
	assert.Equal(t, 20*time.Second, rl.RetryAfter)
	assert.Equal(t, sends, env.Sender.Count(), "nothing sent")

	env.Clock.Advance(20 * time.Second)
	again, err := env.M.Resend(ctx, user, sent.ChallengeID, "en", env.Now())
	require.NoError(t, err)
	assert.Equal(t, sent.ChallengeID, again.ChallengeID, "a resend keeps the challenge")
	assert.Equal(t, env.Now().Add(5*time.Minute), again.ExpiresAt, "and gives the new code a full TTL")
	fresh := env.LastCode(t)
	require.NotEqual(t, old, fresh)
	m, _ := env.Sender.Last()
	assert.Equal(t, "en", m.Language)

	assert.ErrorIs(t, verify(env, sent.ChallengeID, old), factor.ErrInvalidCode, "the old code is replaced")
	assert.NoError(t, verify(env, sent.ChallengeID, fresh))
	_, err = env.M.Resend(ctx, user, sent.ChallengeID, "", env.Clock.Advance(time.Minute))
	assert.ErrorIs(t, err, factor.ErrInvalidCode, "a used challenge is not resent")
}

func TestCodeBoundToChallenge(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	a, codeA := env.Challenge(t, user, e.ID, false)
	b, codeB := env.Challenge(t, user, e.ID, false)
	require.NotEqual(t, codeA, codeB)
	assert.ErrorIs(t, verify(env, b.ChallengeID, codeA), factor.ErrInvalidCode, "A's code on B")
	assert.NoError(t, verify(env, b.ChallengeID, codeB))
	assert.NoError(t, verify(env, a.ChallengeID, codeA))

	c, codeC := env.Challenge(t, user, e.ID, false)
	_, err := env.M.Verify(context.Background(), factor.Answer{UserID: "mallory", ChallengeID: c.ChallengeID, Code: codeC}, env.Now())
	assert.ErrorIs(t, err, factor.ErrInvalidCode, "another user's challenge")
	assert.NoError(t, verify(env, c.ChallengeID, codeC))
}

func TestConcurrentRightCodeOnce(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, code := env.Challenge(t, user, e.ID, false)
	var wins atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			err := verify(env, sent.ChallengeID, code)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, factor.ErrInvalidCode), errors.Is(err, factor.ErrLocked):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(1), wins.Load())
}

// TestConcurrentResend: of many resends racing after the cooldown, one
// replaces the code; the others are refused and send nothing.
func TestConcurrentResend(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, _ := env.Challenge(t, user, e.ID, false)
	env.Clock.Advance(30 * time.Second)
	before := env.Sender.Count()
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, err := env.M.Resend(context.Background(), user, sent.ChallengeID, "", env.Now())
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, factor.ErrRateLimited) {
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), ok.Load())
	assert.Equal(t, before+1, env.Sender.Count())
	assert.NoError(t, verify(env, sent.ChallengeID, env.LastCode(t)), "the code sent is the one stored")
}

// TestFailedSendLeavesNoCode: when the provider fails, the host learns it,
// and neither the unsent code nor the one it was to replace works.
func TestFailedSendLeavesNoCode(t *testing.T) {
	env := newEnv(t, factor.Config{})
	ctx := context.Background()
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sent, old := env.Challenge(t, user, e.ID, false)
	env.Sender.SetErr(errors.New("gateway down"))
	env.Clock.Advance(30 * time.Second)
	_, err := env.M.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID}, env.Now())
	assert.ErrorIs(t, err, factor.ErrDelivery)

	env.Clock.Advance(30 * time.Second)
	_, err = env.M.Resend(ctx, user, sent.ChallengeID, "", env.Now())
	assert.ErrorIs(t, err, factor.ErrDelivery)
	env.Sender.SetErr(nil)
	assert.ErrorIs(t, verify(env, sent.ChallengeID, old), factor.ErrInvalidCode)
}

func TestCodeLength(t *testing.T) {
	for _, n := range []int{4, 6, 8, 10} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			env := newEnv(t, factor.Config{Codes: factor.DeliveredCodes{Digits: n}})
			e := env.Enroll(t, user, factor.KindSMS, "06-12345678")
			sent, code := env.Challenge(t, user, e.ID, false)
			assert.Len(t, code, n)
			m, _ := env.Sender.Last()
			assert.Contains(t, m.Text, " "+code+".")
			assert.ErrorIs(t, factortest.Err(env.M.Confirm(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code[1:]}, env.Now())), factor.ErrMalformed)
			assert.NoError(t, factortest.Err(env.M.Confirm(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, env.Now())))
		})
	}
}

// TestFailedSendsSpendTheBudget: a send that failed in a way that may have
// delivered it (here an error the Manager cannot read) still counts
// against the send budget, so a flood of failing sends cannot outrun it.
func TestFailedSendsSpendTheBudget(t *testing.T) {
	env := newEnv(t, factor.Config{Budget: factor.Budget{PerDestinationHour: 2}})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	delivered := env.Sender.Count()
	env.Sender.SetErr(errors.New("gateway down"))
	for range 2 {
		env.Clock.Advance(30 * time.Second)
		_, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID}, env.Now())
		require.ErrorIs(t, err, factor.ErrDelivery)
	}
	env.Sender.SetErr(nil)
	env.Clock.Advance(30 * time.Second)
	_, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID}, env.Now())
	var rl *factor.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, "destination", rl.Scope)
	assert.Equal(t, delivered, env.Sender.Count(), "nothing more was delivered")
}
