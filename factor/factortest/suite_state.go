package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

var userStateTests = []subtest{
	{"GetUnknown", testStateUnknown},
	{"Save", testStateSave},
	{"StaleVersion", testStateStale},
	{"Delete", testStateDelete},
	{"OtherUser", testStateOtherUser},
	{"Copies", testStateCopies},
	{"ConcurrentCreate", testStateConcurrentCreate},
	{"ConcurrentUpdate", testStateConcurrentUpdate},
}

func newState(userID string, now time.Time) *factor.UserState {
	return &factor.UserState{UserID: userID, PromptedAt: now, ActivatedAt: now.Add(time.Minute)}
}

func saveState(t *testing.T, s factor.Store, userID string) *factor.UserState {
	t.Helper()
	st := newState(userID, baseTime())
	require.NoError(t, s.SaveUserState(t.Context(), st))
	return st
}

// assertState checks that the user's stored state equals want.
func assertState(t *testing.T, s factor.Store, want *factor.UserState) {
	t.Helper()
	got, err := s.GetUserState(t.Context(), want.UserID)
	require.NoError(t, err)
	norm := func(st *factor.UserState) factor.UserState {
		c := *st
		c.PromptedAt, c.ActivatedAt = normTime(c.PromptedAt), normTime(c.ActivatedAt)
		return c
	}
	assert.Equal(t, norm(want), norm(got))
}

func testStateUnknown(t *testing.T, s factor.Store) {
	user := newID("user")
	assertState(t, s, &factor.UserState{UserID: user})
}

func testStateSave(t *testing.T, s factor.Store) {
	st := saveState(t, s, newID("user"))
	assert.Equal(t, int64(1), st.Version, "the first save sets Version to 1")
	assertState(t, s, st)

	st.PromptedAt, st.ActivatedAt = st.PromptedAt.Add(time.Hour), time.Time{}
	require.NoError(t, s.SaveUserState(t.Context(), st))
	assert.Equal(t, int64(2), st.Version, "SaveUserState increments Version")
	assertState(t, s, st)
}

func testStateStale(t *testing.T, s factor.Store) {
	ctx := t.Context()
	st := saveState(t, s, newID("user"))
	first, second := *st, *st
	first.ActivatedAt = time.Time{}
	require.NoError(t, s.SaveUserState(ctx, &first))
	assert.ErrorIs(t, s.SaveUserState(ctx, &second), factor.ErrConflict)
	assert.Equal(t, int64(1), second.Version, "a lost save leaves Version alone")

	ahead := first
	ahead.Version += 3
	assert.ErrorIs(t, s.SaveUserState(ctx, &ahead), factor.ErrConflict)
	again := newState(first.UserID, baseTime())
	assert.ErrorIs(t, s.SaveUserState(ctx, again), factor.ErrConflict, "Version 0 when state is stored")
	assertState(t, s, &first)

	unknown := newState(newID("user"), baseTime())
	unknown.Version = 1
	assert.ErrorIs(t, s.SaveUserState(ctx, unknown), factor.ErrConflict, "Version 1 when nothing is stored")
}

func testStateDelete(t *testing.T, s factor.Store) {
	ctx := t.Context()
	st := saveState(t, s, newID("user"))
	require.NoError(t, s.DeleteUserState(ctx, st.UserID))
	assertState(t, s, &factor.UserState{UserID: st.UserID})
	assert.ErrorIs(t, s.SaveUserState(ctx, st), factor.ErrConflict, "saving over deleted state")

	fresh := newState(st.UserID, baseTime())
	require.NoError(t, s.SaveUserState(ctx, fresh))
	assert.Equal(t, int64(1), fresh.Version)
	assertState(t, s, fresh)
	require.NoError(t, s.DeleteUserState(ctx, newID("user")), "deleting unknown state")
}

func testStateOtherUser(t *testing.T, s factor.Store) {
	ctx := t.Context()
	a := saveState(t, s, newID("user"))
	b := newID("user")
	assertState(t, s, &factor.UserState{UserID: b})
	require.NoError(t, s.DeleteUserState(ctx, b))
	assertState(t, s, a)
}

func testStateCopies(t *testing.T, s factor.Store) {
	st := saveState(t, s, newID("user"))
	want := *st
	st.ActivatedAt, st.Version = time.Time{}, 7
	assertState(t, s, &want)
	got, err := s.GetUserState(t.Context(), want.UserID)
	require.NoError(t, err)
	got.PromptedAt, got.ActivatedAt = time.Time{}, time.Time{}
	assertState(t, s, &want)
}

func testStateConcurrentCreate(t *testing.T, s factor.Store) {
	user := newID("user")
	states := make([]*factor.UserState, racers)
	for i := range states {
		states[i] = newState(user, baseTime().Add(time.Duration(i)*time.Second))
	}
	errs := race(racers, func(i int) error {
		return s.SaveUserState(t.Context(), states[i])
	})
	require.Equal(t, 1, wins(t, errs, factor.ErrConflict), "exactly one first save wins")
	for i, err := range errs {
		if err == nil {
			assertState(t, s, states[i])
		}
	}
}

func testStateConcurrentUpdate(t *testing.T, s factor.Store) {
	st := saveState(t, s, newID("user"))
	states := make([]*factor.UserState, racers)
	for i := range states {
		c := *st
		c.ActivatedAt = c.ActivatedAt.Add(time.Duration(i) * time.Second)
		states[i] = &c
	}
	errs := race(racers, func(i int) error {
		return s.SaveUserState(t.Context(), states[i])
	})
	require.Equal(t, 1, wins(t, errs, factor.ErrConflict), "exactly one save wins")
	for i, err := range errs {
		if err == nil {
			assert.Equal(t, int64(2), states[i].Version)
			assertState(t, s, states[i])
		}
	}
}
