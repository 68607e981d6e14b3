package factortest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

var enrollmentTests = []subtest{
	{"CreateGet", testEnrollmentCreateGet},
	{"CreateDuplicateID", testEnrollmentDuplicate},
	{"NotFound", testEnrollmentNotFound},
	{"OtherUser", testEnrollmentOtherUser},
	{"Update", testEnrollmentUpdate},
	{"StaleVersion", testEnrollmentStale},
	{"Copies", testEnrollmentCopies},
	{"ListOrder", testEnrollmentList},
	{"Delete", testEnrollmentDelete},
	{"DeleteAll", testEnrollmentDeleteAll},
	{"ConcurrentUpdate", testEnrollmentConcurrentUpdate},
}

func newEnrollment(userID string, now time.Time) *factor.Enrollment {
	return &factor.Enrollment{
		ID:        newID("enr"),
		UserID:    userID,
		Kind:      factor.KindSMS,
		Label:     "Work phone",
		Address:   "+31612345678",
		Primary:   true,
		Secret:    []byte("sealed secret"),
		State:     []byte{0, 1, 2, 255},
		Counter:   7,
		CreatedAt: now,
		ExpiresAt: now.Add(10 * time.Minute),
	}
}

// createEnrollment stores a new enrollment of the user and returns it.
func createEnrollment(t *testing.T, s factor.Store, userID string, now time.Time) *factor.Enrollment {
	t.Helper()
	e := newEnrollment(userID, now)
	require.NoError(t, s.CreateEnrollment(t.Context(), e))
	return e
}

func normEnrollment(e *factor.Enrollment) factor.Enrollment {
	c := *e
	c.Secret, c.State = normBytes(c.Secret), normBytes(c.State)
	c.CreatedAt, c.ExpiresAt = normTime(c.CreatedAt), normTime(c.ExpiresAt)
	c.ConfirmedAt, c.LastUsedAt = normTime(c.ConfirmedAt), normTime(c.LastUsedAt)
	return c
}

// assertEnrollment checks that the stored enrollment equals want.
func assertEnrollment(t *testing.T, s factor.Store, want *factor.Enrollment) {
	t.Helper()
	got, err := s.GetEnrollment(t.Context(), want.UserID, want.ID)
	require.NoError(t, err)
	assert.Equal(t, normEnrollment(want), normEnrollment(got))
}

func testEnrollmentCreateGet(t *testing.T, s factor.Store) {
	e := newEnrollment(newID("user"), baseTime())
	e.Version = 42
	require.NoError(t, s.CreateEnrollment(t.Context(), e))
	assert.Equal(t, int64(1), e.Version, "CreateEnrollment sets Version to 1")
	assertEnrollment(t, s, e)

	totp := newEnrollment(e.UserID, baseTime())
	totp.Kind, totp.Address, totp.State, totp.ExpiresAt = factor.KindTOTP, "", nil, time.Time{}
	require.NoError(t, s.CreateEnrollment(t.Context(), totp))
	got, err := s.GetEnrollment(t.Context(), totp.UserID, totp.ID)
	require.NoError(t, err)
	assert.Empty(t, got.State)
	assert.True(t, got.ExpiresAt.IsZero(), "a zero time comes back zero")
	assert.True(t, got.ConfirmedAt.IsZero(), "a zero time comes back zero")
}

func testEnrollmentDuplicate(t *testing.T, s factor.Store) {
	e := createEnrollment(t, s, newID("user"), baseTime())
	dup := newEnrollment(e.UserID, baseTime())
	dup.ID, dup.Label = e.ID, "duplicate"
	assert.ErrorIs(t, s.CreateEnrollment(t.Context(), dup), factor.ErrConflict)
	dup.UserID = newID("user")
	assert.ErrorIs(t, s.CreateEnrollment(t.Context(), dup), factor.ErrConflict, "IDs are unique across users")
	assertEnrollment(t, s, e)
}

func testEnrollmentNotFound(t *testing.T, s factor.Store) {
	ctx := t.Context()
	user := newID("user")
	_, err := s.GetEnrollment(ctx, user, newID("enr"))
	assert.ErrorIs(t, err, factor.ErrNotFound)
	e := newEnrollment(user, baseTime())
	e.Version = 1
	assert.ErrorIs(t, s.UpdateEnrollment(ctx, e), factor.ErrNotFound)
	assert.ErrorIs(t, s.DeleteEnrollment(ctx, user, e.ID), factor.ErrNotFound)
	list, err := s.ListEnrollments(ctx, user)
	require.NoError(t, err)
	assert.Empty(t, list)
	n, err := s.DeleteEnrollments(ctx, user)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testEnrollmentOtherUser(t *testing.T, s factor.Store) {
	ctx := t.Context()
	a := createEnrollment(t, s, newID("user"), baseTime())
	other := newID("user")

	_, err := s.GetEnrollment(ctx, other, a.ID)
	assert.ErrorIs(t, err, factor.ErrNotFound, "another user's enrollment is not found")
	assert.ErrorIs(t, s.DeleteEnrollment(ctx, other, a.ID), factor.ErrNotFound)
	steal := a.Clone()
	steal.UserID, steal.Label = other, "stolen"
	assert.ErrorIs(t, s.UpdateEnrollment(ctx, steal), factor.ErrNotFound)
	list, err := s.ListEnrollments(ctx, other)
	require.NoError(t, err)
	assert.Empty(t, list)
	n, err := s.DeleteEnrollments(ctx, other)
	require.NoError(t, err)
	assert.Zero(t, n)

	assertEnrollment(t, s, a)
}

func testEnrollmentUpdate(t *testing.T, s factor.Store) {
	now := baseTime()
	e := createEnrollment(t, s, newID("user"), now)
	e.Label, e.Address, e.Primary = "Home", "+31201234567", false
	e.Confirmed, e.ConfirmedAt, e.ExpiresAt = true, now.Add(time.Minute), time.Time{}
	e.Secret, e.State, e.Counter = []byte("resealed"), nil, 12345
	e.LastUsedAt = now.Add(2 * time.Minute)
	require.NoError(t, s.UpdateEnrollment(t.Context(), e))
	assert.Equal(t, int64(2), e.Version, "UpdateEnrollment increments Version")
	assertEnrollment(t, s, e)

	e.Counter++
	require.NoError(t, s.UpdateEnrollment(t.Context(), e))
	assert.Equal(t, int64(3), e.Version)
	assertEnrollment(t, s, e)
}

func testEnrollmentStale(t *testing.T, s factor.Store) {
	ctx := t.Context()
	e := createEnrollment(t, s, newID("user"), baseTime())
	first, second := e.Clone(), e.Clone()
	first.Label, second.Label = "first", "second"
	require.NoError(t, s.UpdateEnrollment(ctx, first))

	assert.ErrorIs(t, s.UpdateEnrollment(ctx, second), factor.ErrConflict)
	assert.Equal(t, int64(1), second.Version, "a lost update leaves Version alone")
	future := first.Clone()
	future.Version += 5
	assert.ErrorIs(t, s.UpdateEnrollment(ctx, future), factor.ErrConflict)
	assertEnrollment(t, s, first)
}

func testEnrollmentCopies(t *testing.T, s factor.Store) {
	ctx := t.Context()
	e := createEnrollment(t, s, newID("user"), baseTime())
	want := e.Clone()
	e.Secret[0] ^= 0xff
	e.State[0] ^= 0xff
	e.Label = "changed after create"
	assertEnrollment(t, s, want)

	got, err := s.GetEnrollment(ctx, e.UserID, e.ID)
	require.NoError(t, err)
	got.Secret[0] ^= 0xff
	got.State[0] ^= 0xff
	list, err := s.ListEnrollments(ctx, e.UserID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list[0].Secret[0] ^= 0xff
	list[0].Counter = 99
	assertEnrollment(t, s, want)

	upd := want.Clone()
	require.NoError(t, s.UpdateEnrollment(ctx, upd))
	want.Version = upd.Version
	upd.Secret[0] ^= 0xff
	assertEnrollment(t, s, want)
}

func testEnrollmentList(t *testing.T, s factor.Store) {
	user, base, now := newID("user"), newID("enr"), baseTime()
	later := now.Add(time.Second)
	// Inserted out of order: later time with a smaller ID, and ties on
	// CreatedAt broken by ID.
	var want [4]*factor.Enrollment
	for _, spec := range []struct {
		suffix string
		at     time.Time
		pos    int
	}{{"a", later, 2}, {"c", now, 1}, {"d", later, 3}, {"b", now, 0}} {
		e := newEnrollment(user, spec.at)
		e.ID = base + "-" + spec.suffix
		require.NoError(t, s.CreateEnrollment(t.Context(), e))
		want[spec.pos] = e
	}
	createEnrollment(t, s, newID("user"), now)

	list, err := s.ListEnrollments(t.Context(), user)
	require.NoError(t, err)
	require.Len(t, list, len(want))
	for i, e := range list {
		assert.Equal(t, normEnrollment(want[i]), normEnrollment(e), "position %d", i)
	}
}

func testEnrollmentDelete(t *testing.T, s factor.Store) {
	ctx := t.Context()
	user := newID("user")
	gone := createEnrollment(t, s, user, baseTime())
	kept := createEnrollment(t, s, user, baseTime())
	require.NoError(t, s.DeleteEnrollment(ctx, user, gone.ID))

	_, err := s.GetEnrollment(ctx, user, gone.ID)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	assert.ErrorIs(t, s.DeleteEnrollment(ctx, user, gone.ID), factor.ErrNotFound, "deleting twice")
	assert.ErrorIs(t, s.UpdateEnrollment(ctx, gone), factor.ErrNotFound, "updating a deleted enrollment")
	list, err := s.ListEnrollments(ctx, user)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, kept.ID, list[0].ID)
}

func testEnrollmentDeleteAll(t *testing.T, s factor.Store) {
	ctx := t.Context()
	user := newID("user")
	for range 3 {
		createEnrollment(t, s, user, baseTime())
	}
	other := createEnrollment(t, s, newID("user"), baseTime())

	n, err := s.DeleteEnrollments(ctx, user)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	list, err := s.ListEnrollments(ctx, user)
	require.NoError(t, err)
	assert.Empty(t, list)
	n, err = s.DeleteEnrollments(ctx, user)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to delete")
	assertEnrollment(t, s, other)
}

func testEnrollmentConcurrentUpdate(t *testing.T, s factor.Store) {
	e := createEnrollment(t, s, newID("user"), baseTime())
	copies := make([]*factor.Enrollment, racers)
	for i := range copies {
		copies[i] = e.Clone()
		copies[i].Label = fmt.Sprintf("racer %d", i)
		copies[i].Counter = int64(i)
	}
	errs := race(racers, func(i int) error {
		return s.UpdateEnrollment(t.Context(), copies[i])
	})
	require.Equal(t, 1, wins(t, errs, factor.ErrConflict), "exactly one update wins")
	for i, err := range errs {
		if err == nil {
			assert.Equal(t, int64(2), copies[i].Version)
			assertEnrollment(t, s, copies[i])
		} else {
			assert.Equal(t, int64(1), copies[i].Version)
		}
	}
}
