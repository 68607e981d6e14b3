package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

// verifiedTests check the optional factor.VerifiedStore. They skip for a
// store without it.
var verifiedTests = []subtest{
	{"ResetsAttempts", testVerifiedResets},
	{"FailureKeepsAttempts", testVerifiedFailure},
	{"ConcurrentUpdate", testVerifiedConcurrent},
}

func verifiedStore(t *testing.T, s factor.Store) factor.VerifiedStore {
	t.Helper()
	vs, ok := s.(factor.VerifiedStore)
	if !ok {
		t.Skip("the store does not implement factor.VerifiedStore")
	}
	return vs
}

func testVerifiedResets(t *testing.T, s factor.Store) {
	vs := verifiedStore(t, s)
	now := baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	reserve(t, s, e.UserID, now)
	lockUser(t, s, e.UserID, now, now.Add(time.Hour))
	e.Counter++
	require.NoError(t, vs.UpdateEnrollmentVerified(t.Context(), e))
	assert.Equal(t, int64(2), e.Version)
	assertEnrollment(t, s, e)
	assertAttempts(t, reserve(t, s, e.UserID, now), 1, 0, time.Time{})
}

func testVerifiedFailure(t *testing.T, s factor.Store) {
	vs := verifiedStore(t, s)
	ctx, now := t.Context(), baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	reserve(t, s, e.UserID, now)
	stale := e.Clone()
	require.NoError(t, s.UpdateEnrollment(ctx, e))
	assert.ErrorIs(t, vs.UpdateEnrollmentVerified(ctx, stale), factor.ErrConflict)
	missing := newEnrollment(e.UserID, now)
	missing.Version = 1
	assert.ErrorIs(t, vs.UpdateEnrollmentVerified(ctx, missing), factor.ErrNotFound)
	assertAttempts(t, reserve(t, s, e.UserID, now), 2, 0, time.Time{})
	assertEnrollment(t, s, e)
}

func testVerifiedConcurrent(t *testing.T, s factor.Store) {
	vs := verifiedStore(t, s)
	e := createEnrollment(t, s, newID("user"), baseTime())
	copies := make([]*factor.Enrollment, racers)
	for i := range copies {
		copies[i] = e.Clone()
		copies[i].Counter = int64(i)
	}
	errs := race(racers, func(i int) error {
		return vs.UpdateEnrollmentVerified(t.Context(), copies[i])
	})
	require.Equal(t, 1, wins(t, errs, factor.ErrConflict), "exactly one update wins")
	for i, err := range errs {
		if err == nil {
			assertEnrollment(t, s, copies[i])
		}
	}
}
