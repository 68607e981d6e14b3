package recovery_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/recovery"
)

// TestRedeemMalformed proves that malformed input is refused before the
// attempt is counted and before anything is hashed: the spy store sees no
// ReserveAttempt and no ConsumeRecoveryCode, and the user's failure count
// has not moved.
func TestRedeemMalformed(t *testing.T) {
	tests := []struct {
		name, user, code string
	}{
		{"65 characters", "alice", strings.Repeat("A", 65)},
		{"1000 characters", "alice", strings.Repeat("2E7G-", 200)},
		{"long but short after normalisation", "alice", strings.Repeat(" ", 60) + "2E7GX"},
		{"too short", "alice", "2E7G-XZX8-C8MW"},
		{"too long", "alice", "2E7G-XZX8-C8MW-PQ3D-A"},
		{"U", "alice", "2E7G-XZX8-C8MW-PQ3U"},
		{"empty", "alice", ""},
		{"punctuation", "alice", "2E7G.XZX8.C8MW.PQ3D"},
		{"no user", "", "2E7G-XZX8-C8MW-PQ3D"},
		{"overlong user", strings.Repeat("u", 256), "2E7G-XZX8-C8MW-PQ3D"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, factor.Config{})
			c := newCodes(t, e, recovery.Config{})
			_, err := c.Generate(t.Context(), "alice", t0)
			require.NoError(t, err)
			_, err = c.Redeem(t.Context(), tt.user, tt.code, t0)
			assert.ErrorIs(t, err, factor.ErrMalformed)
			assert.NotErrorIs(t, err, factor.ErrInvalidCode)
			assert.Zero(t, e.store.reserves.Load(), "the attempt must not be counted")
			assert.Zero(t, e.store.consumes.Load(), "nothing must be hashed or looked up")
			at, err := e.mem.ReserveAttempt(t.Context(), "alice", t0)
			require.NoError(t, err)
			assert.Equal(t, 1, at.Failures, "the failure count must not have moved")
			assert.False(t, e.events.has(factor.EventFailed))
		})
	}
}

func TestRedeemWrongCodeCounts(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	_, err = c.Redeem(t.Context(), "alice", "2E7G-XZX8-C8MW-PQ3D", t0)
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	assert.Equal(t, int64(1), e.store.reserves.Load())
	assert.Equal(t, int64(1), e.store.consumes.Load(), "one lookup, however many codes remain")
	assert.True(t, e.events.has(factor.EventFailed))
	n, err := c.Remaining(t.Context(), "alice")
	require.NoError(t, err)
	assert.Equal(t, len(codes), n)
}

func TestRedeemAnotherUsersCode(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	_, err = c.Generate(t.Context(), "bob", t0)
	require.NoError(t, err)
	_, err = c.Redeem(t.Context(), "bob", codes[0], t0)
	assert.ErrorIs(t, err, factor.ErrInvalidCode)
	_, err = c.Redeem(t.Context(), "alice", codes[0], t0)
	assert.NoError(t, err)
}

// TestRedeemLocked shows the shared failure budget: after Lockout.Limit
// wrong codes the user is locked, and while locked even a right code is
// refused without being compared or used up.
func TestRedeemLocked(t *testing.T) {
	e := newEnv(t, factor.Config{Lockout: factor.Lockout{Limit: 5}})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	for range 4 {
		_, err = c.Redeem(t.Context(), "alice", "2E7G-XZX8-C8MW-PQ3D", t0)
		require.ErrorIs(t, err, factor.ErrInvalidCode)
	}
	_, err = c.Redeem(t.Context(), "alice", "2E7G-XZX8-C8MW-PQ3D", t0)
	require.ErrorIs(t, err, factor.ErrLocked)
	consumes := e.store.consumes.Load()
	_, err = c.Redeem(t.Context(), "alice", codes[0], t0)
	var le *factor.LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, consumes, e.store.consumes.Load(), "a locked user's code is not compared")
	n, err := c.Remaining(t.Context(), "alice")
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	_, err = c.Redeem(t.Context(), "alice", codes[0], t0.Add(le.RetryAfter))
	assert.NoError(t, err, "the code works once the lock has passed")
}

func TestRedeemResetsFailures(t *testing.T) {
	e := newEnv(t, factor.Config{Lockout: factor.Lockout{Limit: 3}})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	for _, code := range codes[:3] {
		_, err = c.Redeem(t.Context(), "alice", "2E7G-XZX8-C8MW-PQ3D", t0)
		require.ErrorIs(t, err, factor.ErrInvalidCode)
		_, err = c.Redeem(t.Context(), "alice", code, t0)
		require.NoError(t, err, "a success resets the failures, so the user never locks")
	}
}
