package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

var deviceTests = []subtest{
	{"CreateGet", testDeviceCreateGet},
	{"CreateDuplicateID", testDeviceDuplicate},
	{"NotFound", testDeviceNotFound},
	{"Touch", testDeviceTouch},
	{"Copies", testDeviceCopies},
	{"ListOrder", testDeviceList},
	{"OtherUser", testDeviceOtherUser},
	{"Delete", testDeviceDelete},
	{"DeleteAll", testDeviceDeleteAll},
}

func newDevice(userID string, now time.Time) *factor.TrustedDevice {
	return &factor.TrustedDevice{
		ID:            newID("dev"),
		UserID:        userID,
		Label:         "Firefox on Linux",
		ValidatorHash: hash(newID("validator")),
		CreatedAt:     now,
		LastUsedAt:    now,
		ExpiresAt:     now.Add(12 * time.Hour),
	}
}

func createDevice(t *testing.T, s factor.Store, userID string, now time.Time) *factor.TrustedDevice {
	t.Helper()
	d := newDevice(userID, now)
	require.NoError(t, s.CreateDevice(t.Context(), d))
	return d
}

func normDevice(d *factor.TrustedDevice) factor.TrustedDevice {
	c := *d
	c.ValidatorHash = normBytes(c.ValidatorHash)
	c.CreatedAt, c.LastUsedAt, c.ExpiresAt = normTime(c.CreatedAt), normTime(c.LastUsedAt), normTime(c.ExpiresAt)
	return c
}

// assertDevice checks that the stored device equals want.
func assertDevice(t *testing.T, s factor.Store, want *factor.TrustedDevice) {
	t.Helper()
	got, err := s.GetDevice(t.Context(), want.ID)
	require.NoError(t, err)
	assert.Equal(t, normDevice(want), normDevice(got))
}

func testDeviceCreateGet(t *testing.T, s factor.Store) {
	d := createDevice(t, s, newID("user"), baseTime())
	assertDevice(t, s, d)
}

func testDeviceDuplicate(t *testing.T, s factor.Store) {
	d := createDevice(t, s, newID("user"), baseTime())
	dup := newDevice(newID("user"), baseTime())
	dup.ID = d.ID
	assert.ErrorIs(t, s.CreateDevice(t.Context(), dup), factor.ErrConflict)
	assertDevice(t, s, d)
}

func testDeviceNotFound(t *testing.T, s factor.Store) {
	ctx := t.Context()
	user, id := newID("user"), newID("dev")
	_, err := s.GetDevice(ctx, id)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	assert.ErrorIs(t, s.TouchDevice(ctx, id, baseTime()), factor.ErrNotFound)
	assert.ErrorIs(t, s.DeleteDevice(ctx, user, id), factor.ErrNotFound)
	list, err := s.ListDevices(ctx, user)
	require.NoError(t, err)
	assert.Empty(t, list)
	n, err := s.DeleteDevices(ctx, user)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testDeviceTouch(t *testing.T, s factor.Store) {
	d := createDevice(t, s, newID("user"), baseTime())
	d.LastUsedAt = d.LastUsedAt.Add(3 * time.Hour)
	require.NoError(t, s.TouchDevice(t.Context(), d.ID, d.LastUsedAt))
	assertDevice(t, s, d)
}

func testDeviceCopies(t *testing.T, s factor.Store) {
	d := createDevice(t, s, newID("user"), baseTime())
	want := normDevice(d)
	want.ValidatorHash = append([]byte(nil), d.ValidatorHash...)
	d.ValidatorHash[0] ^= 0xff
	d.Label = "changed after create"
	assertDevice(t, s, &want)

	got, err := s.GetDevice(t.Context(), d.ID)
	require.NoError(t, err)
	got.ValidatorHash[0] ^= 0xff
	list, err := s.ListDevices(t.Context(), d.UserID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list[0].ValidatorHash[0] ^= 0xff
	assertDevice(t, s, &want)
}

func testDeviceList(t *testing.T, s factor.Store) {
	user, base, now := newID("user"), newID("dev"), baseTime()
	later := now.Add(time.Second)
	var want [4]*factor.TrustedDevice
	for _, spec := range []struct {
		suffix string
		at     time.Time
		pos    int
	}{{"a", later, 2}, {"c", now, 1}, {"d", later, 3}, {"b", now, 0}} {
		d := newDevice(user, spec.at)
		d.ID = base + "-" + spec.suffix
		require.NoError(t, s.CreateDevice(t.Context(), d))
		want[spec.pos] = d
	}
	createDevice(t, s, newID("user"), now)

	list, err := s.ListDevices(t.Context(), user)
	require.NoError(t, err)
	require.Len(t, list, len(want))
	for i, d := range list {
		assert.Equal(t, normDevice(want[i]), normDevice(d), "position %d", i)
	}
}

func testDeviceOtherUser(t *testing.T, s factor.Store) {
	ctx := t.Context()
	d := createDevice(t, s, newID("user"), baseTime())
	other := newID("user")
	assert.ErrorIs(t, s.DeleteDevice(ctx, other, d.ID), factor.ErrNotFound, "another user's device is not found")
	list, err := s.ListDevices(ctx, other)
	require.NoError(t, err)
	assert.Empty(t, list)
	n, err := s.DeleteDevices(ctx, other)
	require.NoError(t, err)
	assert.Zero(t, n)
	assertDevice(t, s, d)
}

func testDeviceDelete(t *testing.T, s factor.Store) {
	ctx := t.Context()
	user := newID("user")
	gone := createDevice(t, s, user, baseTime())
	kept := createDevice(t, s, user, baseTime())
	require.NoError(t, s.DeleteDevice(ctx, user, gone.ID))

	_, err := s.GetDevice(ctx, gone.ID)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	assert.ErrorIs(t, s.DeleteDevice(ctx, user, gone.ID), factor.ErrNotFound, "deleting twice")
	assert.ErrorIs(t, s.TouchDevice(ctx, gone.ID, baseTime()), factor.ErrNotFound, "touching a deleted device")
	list, err := s.ListDevices(ctx, user)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, kept.ID, list[0].ID)
}

func testDeviceDeleteAll(t *testing.T, s factor.Store) {
	ctx := t.Context()
	user := newID("user")
	mine := []*factor.TrustedDevice{createDevice(t, s, user, baseTime()), createDevice(t, s, user, baseTime())}
	other := createDevice(t, s, newID("user"), baseTime())

	n, err := s.DeleteDevices(ctx, user)
	require.NoError(t, err)
	assert.Equal(t, len(mine), n)
	for _, d := range mine {
		_, err := s.GetDevice(ctx, d.ID)
		assert.ErrorIs(t, err, factor.ErrNotFound)
	}
	list, err := s.ListDevices(ctx, user)
	require.NoError(t, err)
	assert.Empty(t, list)
	n, err = s.DeleteDevices(ctx, user)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to delete")
	assertDevice(t, s, other)
}
