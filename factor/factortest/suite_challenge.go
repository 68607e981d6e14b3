package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

var challengeTests = []subtest{
	{"CreateGet", testChallengeCreateGet},
	{"CreateDuplicateID", testChallengeDuplicate},
	{"NotFound", testChallengeNotFound},
	{"Update", testChallengeUpdate},
	{"StaleVersion", testChallengeStale},
	{"OtherUser", testChallengeOtherUser},
	{"Copies", testChallengeCopies},
	{"DeleteAll", testChallengeDeleteAll},
	{"ConcurrentUpdate", testChallengeConcurrentUpdate},
}

func newChallenge(userID string, now time.Time) *factor.Challenge {
	return &factor.Challenge{
		ID:           newID("chal"),
		UserID:       userID,
		EnrollmentID: newID("enr"),
		Kind:         factor.KindVoice,
		CodeHash:     hash(newID("code")),
		Keypad:       true,
		Sends:        1,
		SentAt:       now,
		ExpiresAt:    now.Add(5 * time.Minute),
		Delivery:     factor.DeliverySent,
	}
}

func createChallenge(t *testing.T, s factor.Store, userID string) *factor.Challenge {
	t.Helper()
	c := newChallenge(userID, baseTime())
	require.NoError(t, s.CreateChallenge(t.Context(), c))
	return c
}

func normChallenge(c *factor.Challenge) factor.Challenge {
	d := *c
	d.CodeHash = normBytes(d.CodeHash)
	d.SentAt, d.ExpiresAt = normTime(d.SentAt), normTime(d.ExpiresAt)
	d.ApprovedAt, d.UsedAt = normTime(d.ApprovedAt), normTime(d.UsedAt)
	return d
}

// assertChallenge checks that the stored challenge equals want.
func assertChallenge(t *testing.T, s factor.Store, want *factor.Challenge) {
	t.Helper()
	got, err := s.GetChallenge(t.Context(), want.ID)
	require.NoError(t, err)
	assert.Equal(t, normChallenge(want), normChallenge(got))
}

func testChallengeCreateGet(t *testing.T, s factor.Store) {
	c := newChallenge(newID("user"), baseTime())
	c.Version = 9
	require.NoError(t, s.CreateChallenge(t.Context(), c))
	assert.Equal(t, int64(1), c.Version, "CreateChallenge sets Version to 1")
	assertChallenge(t, s, c)
	got, err := s.GetChallenge(t.Context(), c.ID)
	require.NoError(t, err)
	assert.True(t, got.UsedAt.IsZero(), "a zero time comes back zero")
	assert.True(t, got.ApprovedAt.IsZero(), "a zero time comes back zero")
}

func testChallengeDuplicate(t *testing.T, s factor.Store) {
	c := createChallenge(t, s, newID("user"))
	dup := newChallenge(newID("user"), baseTime())
	dup.ID = c.ID
	assert.ErrorIs(t, s.CreateChallenge(t.Context(), dup), factor.ErrConflict)
	assertChallenge(t, s, c)
}

func testChallengeNotFound(t *testing.T, s factor.Store) {
	_, err := s.GetChallenge(t.Context(), newID("chal"))
	assert.ErrorIs(t, err, factor.ErrNotFound)
	c := newChallenge(newID("user"), baseTime())
	c.Version = 1
	assert.ErrorIs(t, s.UpdateChallenge(t.Context(), c), factor.ErrNotFound)
	assert.NoError(t, s.DeleteChallenges(t.Context(), newID("user")), "no challenges to delete")
}

func testChallengeUpdate(t *testing.T, s factor.Store) {
	c := createChallenge(t, s, newID("user"))
	now := baseTime()
	c.Tries, c.Sends = 2, 3
	c.CodeHash = hash(newID("code"))
	c.SentAt, c.ExpiresAt = now.Add(time.Minute), now.Add(6*time.Minute)
	c.ApprovedAt, c.UsedAt = now.Add(2*time.Minute), now.Add(3*time.Minute)
	c.Delivery = factor.DeliveryUndelivered
	require.NoError(t, s.UpdateChallenge(t.Context(), c))
	assert.Equal(t, int64(2), c.Version, "UpdateChallenge increments Version")
	assertChallenge(t, s, c)

	c.Delivery = factor.DeliveryUnknown
	require.NoError(t, s.UpdateChallenge(t.Context(), c))
	assertChallenge(t, s, c)
}

func testChallengeStale(t *testing.T, s factor.Store) {
	c := createChallenge(t, s, newID("user"))
	first, second := c.Clone(), c.Clone()
	first.Tries, second.Tries = 1, 2
	require.NoError(t, s.UpdateChallenge(t.Context(), first))
	assert.ErrorIs(t, s.UpdateChallenge(t.Context(), second), factor.ErrConflict)
	assert.Equal(t, int64(1), second.Version, "a lost update leaves Version alone")
	assertChallenge(t, s, first)
}

func testChallengeOtherUser(t *testing.T, s factor.Store) {
	c := createChallenge(t, s, newID("user"))
	other := newID("user")
	steal := c.Clone()
	steal.UserID, steal.Tries = other, 5
	assert.ErrorIs(t, s.UpdateChallenge(t.Context(), steal), factor.ErrNotFound, "a challenge cannot change hands")
	require.NoError(t, s.DeleteChallenges(t.Context(), other))
	assertChallenge(t, s, c)
}

func testChallengeCopies(t *testing.T, s factor.Store) {
	c := createChallenge(t, s, newID("user"))
	want := c.Clone()
	c.CodeHash[0] ^= 0xff
	c.Tries = 3
	assertChallenge(t, s, want)

	got, err := s.GetChallenge(t.Context(), c.ID)
	require.NoError(t, err)
	got.CodeHash[0] ^= 0xff
	assertChallenge(t, s, want)

	upd := want.Clone()
	require.NoError(t, s.UpdateChallenge(t.Context(), upd))
	want.Version = upd.Version
	upd.CodeHash[0] ^= 0xff
	assertChallenge(t, s, want)
}

func testChallengeDeleteAll(t *testing.T, s factor.Store) {
	ctx := t.Context()
	user := newID("user")
	mine := []*factor.Challenge{createChallenge(t, s, user), createChallenge(t, s, user)}
	other := createChallenge(t, s, newID("user"))

	require.NoError(t, s.DeleteChallenges(ctx, user))
	for _, c := range mine {
		_, err := s.GetChallenge(ctx, c.ID)
		assert.ErrorIs(t, err, factor.ErrNotFound)
		assert.ErrorIs(t, s.UpdateChallenge(ctx, c), factor.ErrNotFound)
	}
	assertChallenge(t, s, other)
	require.NoError(t, s.DeleteChallenges(ctx, user), "deleting again")
}

func testChallengeConcurrentUpdate(t *testing.T, s factor.Store) {
	c := createChallenge(t, s, newID("user"))
	copies := make([]*factor.Challenge, racers)
	for i := range copies {
		copies[i] = c.Clone()
		copies[i].Tries = i + 1
	}
	errs := race(racers, func(i int) error {
		return s.UpdateChallenge(t.Context(), copies[i])
	})
	require.Equal(t, 1, wins(t, errs, factor.ErrConflict), "exactly one update wins")
	for i, err := range errs {
		if err == nil {
			assert.Equal(t, int64(2), copies[i].Version)
			assertChallenge(t, s, copies[i])
		} else {
			assert.Equal(t, int64(1), copies[i].Version)
		}
	}
}
