package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

// reservingTests check the optional factor.ReservingStore. They skip for a
// store without it.
var reservingTests = []subtest{
	{"CountsAndReads", testReservingCounts},
	{"Missing", testReservingMissing},
	{"OtherUser", testReservingOtherUser},
	{"Locked", testReservingLocked},
	{"Copies", testReservingCopies},
	{"Concurrent", testReservingConcurrent},
}

func reservingStore(t *testing.T, s factor.Store) factor.ReservingStore {
	t.Helper()
	rs, ok := s.(factor.ReservingStore)
	if !ok {
		t.Skip("the store does not implement factor.ReservingStore")
	}
	return rs
}

// reserveGet calls ReserveAttemptGetEnrollment and expects the enrollment.
func reserveGet(t *testing.T, rs factor.ReservingStore, userID, id string, now time.Time) (factor.LockState, *factor.Enrollment) {
	t.Helper()
	a, e, err := rs.ReserveAttemptGetEnrollment(t.Context(), userID, id, now)
	require.NoError(t, err)
	require.NotNil(t, e)
	return a, e
}

func testReservingCounts(t *testing.T, s factor.Store) {
	rs := reservingStore(t, s)
	now := baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	for i := 1; i <= 2; i++ {
		a, got := reserveGet(t, rs, e.UserID, e.ID, now)
		assertAttempts(t, a, i, 0, time.Time{})
		assert.Equal(t, normEnrollment(e), normEnrollment(got))
	}
	assertAttempts(t, reserve(t, s, e.UserID, now), 3, 0, time.Time{})
}

func testReservingMissing(t *testing.T, s factor.Store) {
	rs := reservingStore(t, s)
	user, now := newID("user"), baseTime()
	a, e, err := rs.ReserveAttemptGetEnrollment(t.Context(), user, newID("enr"), now)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	assert.Nil(t, e)
	assertAttempts(t, a, 1, 0, time.Time{})
	assertAttempts(t, reserve(t, s, user, now), 2, 0, time.Time{})
}

func testReservingOtherUser(t *testing.T, s factor.Store) {
	rs := reservingStore(t, s)
	now := baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	other := newID("user")
	a, got, err := rs.ReserveAttemptGetEnrollment(t.Context(), other, e.ID, now)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	assert.Nil(t, got)
	assertAttempts(t, a, 1, 0, time.Time{})
	assertAttempts(t, reserve(t, s, e.UserID, now), 1, 0, time.Time{})
}

func testReservingLocked(t *testing.T, s factor.Store) {
	rs := reservingStore(t, s)
	now := baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	reserve(t, s, e.UserID, now)
	until := now.Add(time.Hour)
	lockUser(t, s, e.UserID, now, until)
	a, got := reserveGet(t, rs, e.UserID, e.ID, now.Add(time.Minute))
	assertAttempts(t, a, 0, 1, until)
	assert.Equal(t, normEnrollment(e), normEnrollment(got))
	a, _ = reserveGet(t, rs, e.UserID, e.ID, until)
	assertAttempts(t, a, 1, 1, until)
}

func testReservingCopies(t *testing.T, s factor.Store) {
	rs := reservingStore(t, s)
	now := baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	_, got := reserveGet(t, rs, e.UserID, e.ID, now)
	got.Secret[0] ^= 0xff
	got.State[0] ^= 0xff
	got.Counter = 99
	assertEnrollment(t, s, e)
}

func testReservingConcurrent(t *testing.T, s factor.Store) {
	rs := reservingStore(t, s)
	now := baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	seen := make([]int, racers)
	errs := race(racers, func(i int) error {
		a, got, err := rs.ReserveAttemptGetEnrollment(t.Context(), e.UserID, e.ID, now)
		seen[i] = a.Failures
		if err == nil && got.ID != e.ID {
			t.Errorf("racer %d read enrollment %q", i, got.ID)
		}
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assertOnceEach(t, seen)
}
