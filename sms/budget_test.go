package sms_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

func challenge(env *messagetest.Env, userID, enrollmentID string) error {
	_, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: userID, EnrollmentID: enrollmentID}, env.Now())
	return err
}

// TestBudgetUnderConcurrency: 100 goroutines ask for codes to one number,
// each for an account of its own, as in SMS pumping; no more are sent than
// the number's budget allows, the rest are refused, and every accepted
// request was sent exactly once.
func TestBudgetUnderConcurrency(t *testing.T) {
	env := newEnv(t, factor.Config{Budget: factor.Budget{PerUserDay: -1}})
	env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678") // one send already
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = env.Enroll(t, fmt.Sprintf("pump-%d", i), factor.KindSMS, "06-12345678").ID
	}
	before := env.Sender.Count()
	var accepted, limited atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 100 {
		wg.Go(func() {
			<-start
			err := challenge(env, fmt.Sprintf("pump-%d", i), ids[i])
			var rl *factor.RateLimitError
			switch {
			case err == nil:
				accepted.Add(1)
			case errors.As(err, &rl) && rl.RetryAfter > 0:
				limited.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(5-before), accepted.Load(), "per destination 5 an hour")
	assert.Equal(t, 100-accepted.Load(), limited.Load())
	assert.Equal(t, before+int(accepted.Load()), env.Sender.Count(), "the sender saw exactly the accepted sends")
}

// TestCooldownUnderConcurrency: 100 goroutines ask for a new code for one
// enrollment at once: asking for a new challenge is a resend, so one code
// goes out and the others wait for Codes.ResendAfter.
func TestCooldownUnderConcurrency(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	env.Clock.Advance(time.Minute)
	before := env.Sender.Count()
	var accepted, limited atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			err := challenge(env, user, e.ID)
			var rl *factor.RateLimitError
			switch {
			case err == nil:
				accepted.Add(1)
			case errors.As(err, &rl) && rl.Scope == "resend" && rl.RetryAfter == 30*time.Second:
				limited.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), accepted.Load())
	assert.Equal(t, int64(99), limited.Load())
	assert.Equal(t, before+1, env.Sender.Count())
	env.Clock.Advance(29 * time.Second)
	assert.ErrorIs(t, challenge(env, user, e.ID), factor.ErrRateLimited, "still cooling down")
	env.Clock.Advance(time.Second)
	assert.NoError(t, challenge(env, user, e.ID), "30 seconds after the last code")
}

func TestBudgetScopes(t *testing.T) {
	untilHour := func(now time.Time) time.Duration { return now.Truncate(time.Hour).Add(time.Hour).Sub(now) }
	untilDay := func(now time.Time) time.Duration { return now.Truncate(24 * time.Hour).Add(24 * time.Hour).Sub(now) }
	tests := []struct {
		name  string
		setup func(t *testing.T, env *messagetest.Env) (userID, enrollmentID string)
		scope string
		retry func(now time.Time) time.Duration
	}{
		{"destination per hour", func(t *testing.T, env *messagetest.Env) (string, string) {
			e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
			sendN(t, env, user, e.ID, 5)
			return user, e.ID
		}, "destination", untilHour},
		{"destination per day, across users", func(t *testing.T, env *messagetest.Env) (string, string) {
			day := env.Now().Truncate(24 * time.Hour)
			var last string
			for i, u := range []string{"u1", "u2", "u3"} {
				env.Clock.Set(day.Add(time.Duration(8+2*i) * time.Hour))
				last = env.EnrollConfirmed(t, u, factor.KindSMS, "06-12345678").ID
				sendN(t, env, u, last, 5)
			}
			env.Clock.Set(day.Add(15 * time.Hour))
			return "u3", last
		}, "destination", untilDay},
		{"user per day", func(t *testing.T, env *messagetest.Env) (string, string) {
			day := env.Now().Truncate(24 * time.Hour)
			var ids []string
			for i, number := range []string{"06-12345678", "06-87654321", "06-11223344", "06-44332211"} {
				env.Clock.Set(day.Add(time.Duration(8+i) * time.Hour))
				ids = append(ids, env.EnrollConfirmed(t, user, factor.KindSMS, number).ID)
			}
			env.Clock.Set(day.Add(13 * time.Hour))
			for i := 0; env.Sender.Count() < 20; i++ { // the adding and its second steps count too
				sendN(t, env, user, ids[i%len(ids)], 1)
			}
			return user, ids[0]
		}, "user", untilDay},
		{"pending destination per day, across users", func(t *testing.T, env *messagetest.Env) (string, string) {
			for _, u := range []string{"a1", "a2", "a3", "a4", "a5"} {
				sendN(t, env, u, env.Enroll(t, u, factor.KindSMS, "06-12345678").ID, 1)
			}
			return "a6", env.Enroll(t, "a6", factor.KindSMS, "06-12345678").ID
		}, "destination", untilDay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, factor.Config{})
			userID, enrollmentID := tt.setup(t, env)
			env.Clock.Advance(30 * time.Second)
			sends := env.Sender.Count()
			err := challenge(env, userID, enrollmentID)
			var rl *factor.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, tt.scope, rl.Scope)
			assert.Equal(t, tt.retry(env.Now()), rl.RetryAfter)
			assert.Equal(t, sends, env.Sender.Count(), "nothing sent")
		})
	}
}

func TestBudgetRefills(t *testing.T) {
	env := newEnv(t, factor.Config{})
	e := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	sendN(t, env, user, e.ID, 5)
	env.Clock.Advance(time.Minute)
	err := challenge(env, user, e.ID)
	var rl *factor.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, "destination", rl.Scope, "5 an hour")
	env.Clock.Advance(time.Hour)
	assert.NoError(t, challenge(env, user, e.ID), "a new hour allows sends again")
	assert.Equal(t, 7, env.Sender.Count())
}

func TestBudgetGlobal(t *testing.T) {
	env := newEnv(t, factor.Config{Budget: factor.Budget{GlobalPerMinute: 3}})
	for i, u := range []string{"u1", "u2", "u3", "u4"} {
		err := challenge(env, u, env.Enroll(t, u, factor.KindSMS, []string{"0611111111", "0622222222", "0633333333", "0644444444"}[i]).ID)
		if i < 3 {
			require.NoError(t, err)
			continue
		}
		var rl *factor.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, "global", rl.Scope)
	}
	assert.Equal(t, 3, env.Sender.Count())
}

// sendN sends n codes to the enrollment, 30 seconds apart, as the resend
// cooldown allows.
func sendN(t *testing.T, env *messagetest.Env, userID, enrollmentID string, n int) {
	t.Helper()
	for range n {
		env.Clock.Advance(30 * time.Second)
		require.NoError(t, challenge(env, userID, enrollmentID))
	}
}

// TestBudgetPerDestinationWithLongKeyID: the destination budget is per
// number whatever the key's ID; a long ID must not make all numbers share
// one budget.
func TestBudgetPerDestinationWithLongKeyID(t *testing.T) {
	env := newEnv(t, factor.Config{Keys: []factor.ServerKey{{ID: "production-2026-rotation-a", Secret: []byte("0123456789abcdef0123456789abcdef")}}})
	sendN(t, env, "u1", env.Enroll(t, "u1", factor.KindSMS, "06-12345678").ID, 5)
	assert.NoError(t, challenge(env, "u2", env.Enroll(t, "u2", factor.KindSMS, "06-87654321").ID), "another number has its own budget")
}
