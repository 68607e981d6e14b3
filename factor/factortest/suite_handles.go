package factortest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

// handleTests check the optional factor.HandleStore. They skip for a store
// without it.
var handleTests = []subtest{
	{"PutAndFind", testHandlePutAndFind},
	{"OneUserPerHandle", testHandleOneUser},
	{"BinaryHandles", testHandleBinary},
	{"DeleteHandles", testHandleDelete},
	{"ConcurrentPut", testHandleConcurrent},
}

func handleStore(t *testing.T, s factor.Store) factor.HandleStore {
	t.Helper()
	hs, ok := s.(factor.HandleStore)
	if !ok {
		t.Skip("the store does not implement factor.HandleStore")
	}
	return hs
}

// newHandle returns a handle no other subtest or run uses.
func newHandle() []byte { return []byte(newID("handle")) }

func testHandlePutAndFind(t *testing.T, s factor.Store) {
	hs, ctx := handleStore(t, s), t.Context()
	user := newID("user")
	h1, h2 := newHandle(), newHandle()
	passed := append([]byte(nil), h1...)
	require.NoError(t, hs.PutHandle(ctx, user, passed))
	passed[0] ^= 0xff // the store keeps its own copy
	require.NoError(t, hs.PutHandle(ctx, user, h2), "a user may have several handles")
	require.NoError(t, hs.PutHandle(ctx, user, h1), "recording the same handle again is no error")
	for _, h := range [][]byte{h1, h2} {
		got, err := hs.UserByHandle(ctx, h)
		require.NoError(t, err)
		assert.Equal(t, user, got)
	}
	_, err := hs.UserByHandle(ctx, passed)
	assert.ErrorIs(t, err, factor.ErrNotFound, "a changed copy names nobody")
	_, err = hs.UserByHandle(ctx, newHandle())
	assert.ErrorIs(t, err, factor.ErrNotFound)
	_, err = hs.UserByHandle(ctx, h1[:len(h1)-1])
	assert.ErrorIs(t, err, factor.ErrNotFound, "a prefix is another handle")
}

func testHandleOneUser(t *testing.T, s factor.Store) {
	hs, ctx := handleStore(t, s), t.Context()
	owner, other := newID("user"), newID("user")
	h := newHandle()
	require.NoError(t, hs.PutHandle(ctx, owner, h))
	assert.ErrorIs(t, hs.PutHandle(ctx, other, h), factor.ErrConflict)
	got, err := hs.UserByHandle(ctx, h)
	require.NoError(t, err)
	assert.Equal(t, owner, got, "the handle still names its owner")
	n, err := hs.DeleteHandles(ctx, other)
	require.NoError(t, err)
	assert.Zero(t, n, "the refused handle was not recorded for the other user")
}

func testHandleBinary(t *testing.T, s factor.Store) {
	hs, ctx := handleStore(t, s), t.Context()
	user := newID("user")
	// A random handle is any 64 bytes: NUL, invalid UTF-8, high bytes.
	h := append(newHandle(), 0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x00)
	h = append(h, make([]byte, 64-len(h))...)
	h[len(h)-1] = 0xff
	require.NoError(t, hs.PutHandle(ctx, user, h))
	got, err := hs.UserByHandle(ctx, h)
	require.NoError(t, err)
	assert.Equal(t, user, got)
	_, err = hs.UserByHandle(ctx, h[:len(h)-1])
	assert.ErrorIs(t, err, factor.ErrNotFound, "a trailing byte counts")
}

func testHandleDelete(t *testing.T, s factor.Store) {
	hs, ctx := handleStore(t, s), t.Context()
	gone, kept := newID("user"), newID("user")
	g1, g2, k := newHandle(), newHandle(), newHandle()
	require.NoError(t, hs.PutHandle(ctx, gone, g1))
	require.NoError(t, hs.PutHandle(ctx, gone, g2))
	require.NoError(t, hs.PutHandle(ctx, kept, k))
	n, err := hs.DeleteHandles(ctx, gone)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	for _, h := range [][]byte{g1, g2} {
		_, err := hs.UserByHandle(ctx, h)
		assert.ErrorIs(t, err, factor.ErrNotFound)
	}
	got, err := hs.UserByHandle(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, kept, got, "other users' handles stay")
	n, err = hs.DeleteHandles(ctx, gone)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to delete")
	require.NoError(t, hs.PutHandle(ctx, kept, g1), "a deleted handle is free again")
}

func testHandleConcurrent(t *testing.T, s factor.Store) {
	hs, ctx := handleStore(t, s), t.Context()
	h := newHandle()
	users := make([]string, racers)
	for i := range users {
		users[i] = newID("user")
	}
	errs := race(racers, func(i int) error { return hs.PutHandle(ctx, users[i], h) })
	assert.Equal(t, 1, wins(t, errs, factor.ErrConflict), "one user gets the handle")
	got, err := hs.UserByHandle(ctx, h)
	require.NoError(t, err)
	assert.Equal(t, users[indexOfNil(errs)], got, "the winner owns it")
}

// indexOfNil returns the index of the first nil error, or -1.
func indexOfNil(errs []error) int {
	for i, err := range errs {
		if err == nil {
			return i
		}
	}
	return -1
}
