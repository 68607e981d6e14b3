package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

var attemptTests = []subtest{
	{"Reserve", testReserve},
	{"Lock", testLock},
	{"LockUnknownUser", testLockUnknownUser},
	{"Reset", testResetAttempts},
	{"OtherUser", testAttemptsOtherUser},
	{"ConcurrentReserve", testConcurrentReserve},
	{"ConcurrentLock", testConcurrentLock},
}

var counterTests = []subtest{
	{"Increment", testCounterIncrement},
	{"WindowRestart", testCounterRestart},
	{"Keys", testCounterKeys},
	{"ConcurrentIncrement", testConcurrentIncrement},
	{"ChargeAllOrNothing", testChargeAllOrNothing},
	{"ChargeWindowRestart", testChargeRestart},
	{"Refund", testRefund},
	{"ConcurrentCharge", testConcurrentCharge},
}

// assertAttempts checks got against the wanted failures, locks and lock end.
func assertAttempts(t *testing.T, got factor.LockState, failures, locks int, until time.Time) {
	t.Helper()
	want := factor.LockState{Failures: failures, Locks: locks, LockedUntil: normTime(until)}
	got.LockedUntil = normTime(got.LockedUntil)
	assert.Equal(t, want, got)
}

func reserve(t *testing.T, s factor.Store, userID string, now time.Time) factor.LockState {
	t.Helper()
	a, err := s.ReserveAttempt(t.Context(), userID, now)
	require.NoError(t, err)
	return a
}

func lockUser(t *testing.T, s factor.Store, userID string, now, until time.Time) factor.LockState {
	t.Helper()
	a, err := s.LockUser(t.Context(), userID, now, until)
	require.NoError(t, err)
	return a
}

func testReserve(t *testing.T, s factor.Store) {
	user, now := newID("user"), baseTime()
	for i := 1; i <= 3; i++ {
		assertAttempts(t, reserve(t, s, user, now), i, 0, time.Time{})
	}
}

func testLock(t *testing.T, s factor.Store) {
	user, now := newID("user"), baseTime()
	for range 3 {
		reserve(t, s, user, now)
	}
	until := now.Add(time.Minute)
	assertAttempts(t, lockUser(t, s, user, now, until), 0, 1, until)

	during := now.Add(10 * time.Second)
	assertAttempts(t, reserve(t, s, user, during), 0, 1, until)
	assertAttempts(t, lockUser(t, s, user, during, now.Add(time.Hour)), 0, 1, until)

	// The lock has ended when now reaches LockedUntil.
	assertAttempts(t, reserve(t, s, user, until), 1, 1, until)
	assertAttempts(t, reserve(t, s, user, until.Add(time.Second)), 2, 1, until)
	again := until.Add(5 * time.Minute)
	assertAttempts(t, lockUser(t, s, user, until.Add(time.Second), again), 0, 2, again)
	assertAttempts(t, reserve(t, s, user, again.Add(-time.Microsecond)), 0, 2, again)
}

func testLockUnknownUser(t *testing.T, s factor.Store) {
	now := baseTime()
	until := now.Add(time.Minute)
	assertAttempts(t, lockUser(t, s, newID("user"), now, until), 0, 1, until)
}

func testResetAttempts(t *testing.T, s factor.Store) {
	user, now := newID("user"), baseTime()
	reserve(t, s, user, now)
	lockUser(t, s, user, now, now.Add(time.Hour))
	require.NoError(t, s.ResetAttempts(t.Context(), user))
	assertAttempts(t, reserve(t, s, user, now), 1, 0, time.Time{})
	require.NoError(t, s.ResetAttempts(t.Context(), newID("user")), "resetting an unknown user")
}

func testAttemptsOtherUser(t *testing.T, s factor.Store) {
	locked, other, now := newID("user"), newID("user"), baseTime()
	lockUser(t, s, locked, now, now.Add(time.Hour))
	assertAttempts(t, reserve(t, s, other, now), 1, 0, time.Time{})
	require.NoError(t, s.ResetAttempts(t.Context(), other))
	assertAttempts(t, reserve(t, s, locked, now), 0, 1, now.Add(time.Hour))
}

func testConcurrentReserve(t *testing.T, s factor.Store) {
	user, now := newID("user"), baseTime()
	seen := make([]int, racers)
	errs := race(racers, func(i int) error {
		a, err := s.ReserveAttempt(t.Context(), user, now)
		seen[i] = a.Failures
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assertOnceEach(t, seen)
}

func testConcurrentLock(t *testing.T, s factor.Store) {
	user, now := newID("user"), baseTime()
	ends := make([]time.Time, racers)
	for i := range ends {
		ends[i] = now.Add(time.Duration(i+1) * time.Minute)
	}
	got := make([]factor.LockState, racers)
	errs := race(racers, func(i int) error {
		var err error
		got[i], err = s.LockUser(t.Context(), user, now, ends[i])
		return err
	})
	for i, err := range errs {
		require.NoError(t, err)
		assert.Equal(t, 1, got[i].Locks, "the lock is applied once")
		sameTime(t, got[0].LockedUntil, got[i].LockedUntil, "LockedUntil")
	}
	assertAttempts(t, reserve(t, s, user, now), 0, 1, got[0].LockedUntil)
}

// assertOnceEach checks that the values are 1 to len(values), each once.
func assertOnceEach[N int | int64](t *testing.T, values []N) {
	t.Helper()
	seen := make(map[N]bool, len(values))
	for _, v := range values {
		assert.False(t, seen[v], "%d seen twice", v)
		seen[v] = true
	}
	for i := 1; i <= len(values); i++ {
		assert.True(t, seen[N(i)], "%d never seen", i)
	}
}

func increment(t *testing.T, s factor.Store, key string, now, expires time.Time) int64 {
	t.Helper()
	n, err := s.IncrementCounter(t.Context(), key, now, expires)
	require.NoError(t, err)
	return n
}

func testCounterIncrement(t *testing.T, s factor.Store) {
	key, now := newID("counter"), baseTime()
	for i := int64(1); i <= 3; i++ {
		assert.Equal(t, i, increment(t, s, key, now, now.Add(time.Minute)))
	}
}

func testCounterRestart(t *testing.T, s factor.Store) {
	key, now := newID("counter"), baseTime()
	end := now.Add(time.Minute)
	increment(t, s, key, now, end)
	assert.Equal(t, int64(2), increment(t, s, key, end.Add(-time.Microsecond), end.Add(time.Hour)),
		"the expiry of a running window stays")
	next := end.Add(time.Minute)
	assert.Equal(t, int64(1), increment(t, s, key, end, next), "a window ends at its expiry")
	assert.Equal(t, int64(2), increment(t, s, key, end.Add(30*time.Second), next.Add(time.Hour)))
	assert.Equal(t, int64(1), increment(t, s, key, next.Add(time.Hour), next.Add(2*time.Hour)))
}

func testCounterKeys(t *testing.T, s factor.Store) {
	now := baseTime()
	a, b := newID("counter"), newID("counter")
	increment(t, s, a, now, now.Add(time.Minute))
	increment(t, s, a, now, now.Add(time.Minute))
	assert.Equal(t, int64(1), increment(t, s, b, now, now.Add(time.Minute)))
	assert.Equal(t, int64(3), increment(t, s, a, now, now.Add(time.Minute)))
}

func testConcurrentIncrement(t *testing.T, s factor.Store) {
	key, now := newID("counter"), baseTime()
	seen := make([]int64, racers)
	errs := race(racers, func(i int) error {
		var err error
		seen[i], err = s.IncrementCounter(t.Context(), key, now, now.Add(time.Minute))
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assertOnceEach(t, seen)
	assert.Equal(t, int64(racers+1), increment(t, s, key, now, now.Add(time.Minute)), "after %d increments", racers)
}

func charge(t *testing.T, s factor.Store, now time.Time, windows ...factor.CounterWindow) []int {
	t.Helper()
	full, err := s.ChargeCounters(t.Context(), windows, now)
	require.NoError(t, err)
	return full
}

// testChargeAllOrNothing: a charge with one full window charges none of
// the others and names the full ones.
func testChargeAllOrNothing(t *testing.T, s factor.Store) {
	now := baseTime()
	small := factor.CounterWindow{Key: newID("counter"), Limit: 1, Expires: now.Add(time.Minute)}
	big := factor.CounterWindow{Key: newID("counter"), Limit: 5, Expires: now.Add(time.Hour)}
	assert.Empty(t, charge(t, s, now, big, small))
	for range 3 {
		assert.Equal(t, []int{1}, charge(t, s, now, big, small), "the small window is full")
	}
	assert.Equal(t, int64(2), increment(t, s, big.Key, now, big.Expires), "refused charges cost the big window nothing")
	assert.Equal(t, []int{0, 1}, charge(t, s, now, factor.CounterWindow{Key: small.Key, Limit: 1, Expires: small.Expires}, factor.CounterWindow{Key: big.Key, Limit: 2, Expires: big.Expires}))
}

// testChargeRestart: a window that ended counts as empty again.
func testChargeRestart(t *testing.T, s factor.Store) {
	now := baseTime()
	w := factor.CounterWindow{Key: newID("counter"), Limit: 1, Expires: now.Add(time.Minute)}
	assert.Empty(t, charge(t, s, now, w))
	assert.Equal(t, []int{0}, charge(t, s, now.Add(59*time.Second), w))
	later := w
	later.Expires = now.Add(2 * time.Minute)
	assert.Empty(t, charge(t, s, now.Add(time.Minute), later), "the window ended at its expiry")
	assert.Equal(t, []int{0}, charge(t, s, now.Add(90*time.Second), later))
}

// testRefund: a refund takes one charge back, never below zero, and not
// from a window that ended.
func testRefund(t *testing.T, s factor.Store) {
	now := baseTime()
	w := factor.CounterWindow{Key: newID("counter"), Limit: 2, Expires: now.Add(time.Minute)}
	other := factor.CounterWindow{Key: newID("counter"), Limit: 2, Expires: now.Add(time.Minute)}
	charge(t, s, now, w)
	charge(t, s, now, w)
	require.Equal(t, []int{0}, charge(t, s, now, w))
	require.NoError(t, s.RefundCounters(t.Context(), []factor.CounterWindow{w, other}, now))
	assert.Empty(t, charge(t, s, now, w), "the refund made room")
	require.NoError(t, s.RefundCounters(t.Context(), []factor.CounterWindow{other}, now))
	assert.Empty(t, charge(t, s, now, other))
	assert.Empty(t, charge(t, s, now, other))
	assert.Equal(t, []int{0}, charge(t, s, now, other), "a refund of nothing does not go below zero")
}

// testConcurrentCharge: of racers charging two windows of limit 10 and
// 1000 at once, exactly 10 are charged, and the big window counts 10.
func testConcurrentCharge(t *testing.T, s factor.Store) {
	now := baseTime()
	w := factor.CounterWindow{Key: newID("counter"), Limit: 10, Expires: now.Add(time.Minute)}
	big := factor.CounterWindow{Key: newID("counter"), Limit: 1000, Expires: now.Add(time.Minute)}
	charged := make([]bool, racers)
	errs := race(racers, func(i int) error {
		full, err := s.ChargeCounters(t.Context(), []factor.CounterWindow{big, w}, now)
		charged[i] = err == nil && len(full) == 0
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	n := 0
	for _, c := range charged {
		if c {
			n++
		}
	}
	assert.Equal(t, 10, n, "charges that went through")
	assert.Equal(t, int64(11), increment(t, s, big.Key, now, big.Expires), "the big window counts only the charges that went through")
}
