package recovery_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/recovery"
)

// TestRedeemSameCodeConcurrently races 50 goroutines on one code: exactly
// one wins and every other attempt is a wrong code. The lockout limit is
// raised so that all 50 really compare.
func TestRedeemSameCodeConcurrently(t *testing.T) {
	e := newEnv(t, factor.Config{Lockout: factor.Lockout{Limit: 100}})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = c.Redeem(t.Context(), "alice", codes[4], t0)
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		assert.ErrorIs(t, err, factor.ErrInvalidCode)
	}
	assert.Equal(t, 1, wins)
	left, err := c.Remaining(t.Context(), "alice")
	require.NoError(t, err)
	assert.Equal(t, 9, left)
	assert.Equal(t, 1, e.events.count(factor.EventRecoveryUsed))
}

// TestRedeemAllCodesConcurrently redeems a user's 10 codes at once: all
// succeed, none is left, and the counts reported are 9 down to 0, each
// once, because every removal is atomic.
func TestRedeemAllCodesConcurrently(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	results := make([]recovery.Redemption, len(codes))
	errs := make([]error, len(codes))
	var wg sync.WaitGroup
	for i, code := range codes {
		wg.Go(func() {
			results[i], errs[i] = c.Redeem(t.Context(), "alice", code, t0)
		})
	}
	wg.Wait()
	left := make([]int, 0, len(codes))
	for i := range codes {
		require.NoError(t, errs[i])
		left = append(left, results[i].Remaining)
	}
	slices.Sort(left)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, left)
	n, err := c.Remaining(t.Context(), "alice")
	require.NoError(t, err)
	assert.Zero(t, n)
}
