package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

var adminTests = []subtest{
	{"PruneExpired", testPruneExpired},
	{"PruneLimit", testPruneLimit},
	{"ForgetUser", testForgetUser},
	{"ListUsersEnrollments", testListUsersEnrollments},
	{"LockStates", testLockStates},
}

// pruneAll calls PruneExpired until it removes fewer than limit records.
func pruneAll(t *testing.T, ps factor.PruningStore, now time.Time, limit int) {
	t.Helper()
	for {
		n, err := ps.PruneExpired(t.Context(), now, limit)
		require.NoError(t, err)
		require.LessOrEqual(t, n, limit)
		if n < limit {
			return
		}
	}
}

func testPruneExpired(t *testing.T, s factor.Store) {
	ps, ok := s.(factor.PruningStore)
	if !ok {
		t.Skip("the store is not a factor.PruningStore")
	}
	ctx, now, user := t.Context(), baseTime(), newID("user")
	past, future := now.Add(-time.Second), now.Add(time.Hour)

	deadChallenge, liveChallenge := newChallenge(user, now), newChallenge(user, now)
	deadChallenge.ExpiresAt, liveChallenge.ExpiresAt = now, future // expiring at now is expired
	usedChallenge := newChallenge(user, now)
	usedChallenge.UsedAt = now
	for _, c := range []*factor.Challenge{deadChallenge, liveChallenge, usedChallenge} {
		require.NoError(t, s.CreateChallenge(ctx, c))
	}
	deadDevice, liveDevice := newDevice(user, now), newDevice(user, now)
	deadDevice.ExpiresAt = past
	for _, d := range []*factor.TrustedDevice{deadDevice, liveDevice} {
		require.NoError(t, s.CreateDevice(ctx, d))
	}
	abandoned, pending, confirmed := newEnrollment(user, now), newEnrollment(user, now), newEnrollment(user, now)
	abandoned.ExpiresAt = past
	confirmed.Confirmed, confirmed.ExpiresAt = true, time.Time{}
	for _, e := range []*factor.Enrollment{abandoned, pending, confirmed} {
		require.NoError(t, s.CreateEnrollment(ctx, e))
	}
	deadKey, liveKey := newID("counter"), newID("counter")
	_, err := s.IncrementCounter(ctx, deadKey, past.Add(-time.Minute), past)
	require.NoError(t, err)
	_, err = s.IncrementCounter(ctx, liveKey, now, future)
	require.NoError(t, err)
	oldUser := newID("user")
	require.NoError(t, s.PutActivationCode(ctx, &factor.ActivationCode{UserID: oldUser, Hash: hash(oldUser), CreatedAt: past, ExpiresAt: past}))
	require.NoError(t, s.PutActivationCode(ctx, &factor.ActivationCode{UserID: user, Hash: hash(user), CreatedAt: now, ExpiresAt: future}))

	pruneAll(t, ps, now, 1000)

	_, err = s.GetChallenge(ctx, deadChallenge.ID)
	assert.ErrorIs(t, err, factor.ErrNotFound, "an expired challenge goes")
	for _, c := range []*factor.Challenge{liveChallenge, usedChallenge} {
		_, err = s.GetChallenge(ctx, c.ID)
		assert.NoError(t, err, "a challenge stays until it expires, used or not")
	}
	_, err = s.GetDevice(ctx, deadDevice.ID)
	assert.ErrorIs(t, err, factor.ErrNotFound, "an expired device goes")
	_, err = s.GetDevice(ctx, liveDevice.ID)
	assert.NoError(t, err)
	list, err := s.ListEnrollments(ctx, user)
	require.NoError(t, err)
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	assert.ElementsMatch(t, []string{pending.ID, confirmed.ID}, ids, "an abandoned pending enrollment goes")
	n, err := s.IncrementCounter(ctx, liveKey, now, future)
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "a live counter stays")
	_, err = s.GetActivationCode(ctx, oldUser)
	assert.ErrorIs(t, err, factor.ErrNotFound, "an expired activation code goes")
	_, err = s.GetActivationCode(ctx, user)
	assert.NoError(t, err)
}

func testPruneLimit(t *testing.T, s factor.Store) {
	ps, ok := s.(factor.PruningStore)
	if !ok {
		t.Skip("the store is not a factor.PruningStore")
	}
	ctx, now := t.Context(), baseTime()
	pruneAll(t, ps, now, 1000) // what earlier subtests left
	for range 5 {
		_, err := s.IncrementCounter(ctx, newID("counter"), now.Add(-time.Hour), now.Add(-time.Minute))
		require.NoError(t, err)
	}
	var got []int
	for range 4 {
		n, err := ps.PruneExpired(ctx, now, 2)
		require.NoError(t, err)
		got = append(got, n)
	}
	assert.Equal(t, []int{2, 2, 1, 0}, got, "at most limit per call, until none is left")
}

func testForgetUser(t *testing.T, s factor.Store) {
	fs, ok := s.(factor.ForgettingStore)
	if !ok {
		t.Skip("the store is not a factor.ForgettingStore")
	}
	ctx, now := t.Context(), baseTime()
	gone, kept := newID("user"), newID("user")
	hs, handles := s.(factor.HandleStore)
	want := 9
	if handles {
		want = 10
	}
	for _, u := range []string{gone, kept} {
		if handles {
			require.NoError(t, hs.PutHandle(ctx, u, []byte("handle-"+u)))
		}
		createEnrollment(t, s, u, now)
		createChallenge(t, s, u)
		createDevice(t, s, u, now)
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, u, [][]byte{hash(u)}))
		require.NoError(t, s.PutActivationCode(ctx, &factor.ActivationCode{UserID: u, Hash: hash(u), ExpiresAt: now.Add(time.Hour)}))
		require.NoError(t, s.SaveUserState(ctx, &factor.UserState{UserID: u, PromptedAt: now}))
		_, err := s.ReserveAttempt(ctx, u, now)
		require.NoError(t, err)
		for _, key := range []string{"budget:" + u + ":1", "budget:" + u + ":2"} {
			_, err := s.IncrementCounter(ctx, key, now, now.Add(time.Hour))
			require.NoError(t, err)
		}
	}

	n, err := fs.ForgetUser(ctx, gone, []string{"budget:" + gone + ":"})
	require.NoError(t, err)
	assert.Equal(t, want, n, "enrollment, challenge, device, recovery code, activation code, state, attempts, two counters (and a handle)")

	for u, left := range map[string]bool{gone: false, kept: true} {
		list, err := s.ListEnrollments(ctx, u)
		require.NoError(t, err)
		assert.Equal(t, left, len(list) == 1, "enrollments of %s", u)
		devices, err := s.ListDevices(ctx, u)
		require.NoError(t, err)
		assert.Equal(t, left, len(devices) == 1, "devices of %s", u)
		codes, err := s.CountRecoveryCodes(ctx, u)
		require.NoError(t, err)
		assert.Equal(t, left, codes == 1, "recovery codes of %s", u)
		_, err = s.GetActivationCode(ctx, u)
		assert.Equal(t, left, err == nil, "activation code of %s", u)
		st, err := s.GetUserState(ctx, u)
		require.NoError(t, err)
		assert.Equal(t, left, st.Version != 0, "state of %s", u)
		a, err := s.ReserveAttempt(ctx, u, now)
		require.NoError(t, err)
		assert.Equal(t, left, a.Failures == 2, "attempts of %s", u)
		c, err := s.IncrementCounter(ctx, "budget:"+u+":1", now, now.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, left, c == 2, "counters of %s", u)
		if handles {
			_, err := hs.UserByHandle(ctx, []byte("handle-"+u))
			assert.Equal(t, left, err == nil, "handle of %s", u)
		}
	}
	n, err = fs.ForgetUser(ctx, newID("user"), nil)
	require.NoError(t, err)
	assert.Zero(t, n, "a user never seen")
}

func testListUsersEnrollments(t *testing.T, s factor.Store) {
	ov, ok := s.(factor.OverviewStore)
	if !ok {
		t.Skip("the store is not a factor.OverviewStore")
	}
	now := baseTime()
	a, b, none := newID("user")+"a", newID("user")+"b", newID("user")
	eb := createEnrollment(t, s, b, now)
	ea2 := createEnrollment(t, s, a, now.Add(time.Second))
	ea1 := createEnrollment(t, s, a, now)
	createEnrollment(t, s, newID("user"), now)
	list, err := ov.ListUsersEnrollments(t.Context(), []string{b, none, a})
	require.NoError(t, err)
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
		assert.Equal(t, "Work phone", e.Label)
		assert.Equal(t, "+31612345678", e.Address)
	}
	assert.Equal(t, []string{ea1.ID, ea2.ID, eb.ID}, ids, "by user, then CreatedAt")
	list, err = ov.ListUsersEnrollments(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func testLockStates(t *testing.T, s factor.Store) {
	ov, ok := s.(factor.OverviewStore)
	if !ok {
		t.Skip("the store is not a factor.OverviewStore")
	}
	ctx, now := t.Context(), baseTime()
	locked, failed, none := newID("user"), newID("user"), newID("user")
	until := now.Add(time.Hour)
	_, err := s.LockUser(ctx, locked, now, until)
	require.NoError(t, err)
	_, err = s.ReserveAttempt(ctx, failed, now)
	require.NoError(t, err)
	got, err := ov.LockStates(ctx, []string{locked, failed, none})
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Equal(t, 1, got[locked].Locks)
	sameTime(t, until, got[locked].LockedUntil, "LockedUntil")
	assert.Equal(t, 1, got[failed].Failures)
	again, err := ov.LockStates(ctx, []string{failed})
	require.NoError(t, err)
	assert.Equal(t, 1, again[failed].Failures, "reading counts nothing")
}
