package factortest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

var recoveryTests = []subtest{
	{"ConsumeCount", testRecoveryConsume},
	{"ReplaceWipesOld", testRecoveryReplace},
	{"NotFound", testRecoveryNotFound},
	{"OtherUser", testRecoveryOtherUser},
	{"Copies", testRecoveryCopies},
	{"ConcurrentConsumeOne", testRecoveryConcurrentOne},
	{"ConcurrentConsumeMany", testRecoveryConcurrentMany},
}

var activationTests = []subtest{
	{"PutGet", testActivationPutGet},
	{"NotFound", testActivationNotFound},
	{"Use", testActivationUse},
	{"PutReplaces", testActivationReplace},
	{"OtherUser", testActivationOtherUser},
	{"Copies", testActivationCopies},
	{"ConcurrentUse", testActivationConcurrent},
}

// recoveryCodes stores n new code hashes for the user and returns them.
func recoveryCodes(t *testing.T, s factor.Store, userID string, n int) [][]byte {
	t.Helper()
	hashes := make([][]byte, n)
	for i := range hashes {
		hashes[i] = hash(newID("rc"))
	}
	require.NoError(t, s.ReplaceRecoveryCodes(t.Context(), userID, hashes))
	return hashes
}

func countCodes(t *testing.T, s factor.Store, userID string) int {
	t.Helper()
	n, err := s.CountRecoveryCodes(t.Context(), userID)
	require.NoError(t, err)
	return n
}

func testRecoveryConsume(t *testing.T, s factor.Store) {
	ctx, user := t.Context(), newID("user")
	codes := recoveryCodes(t, s, user, 3)
	assert.Equal(t, 3, countCodes(t, s, user))

	left, err := s.ConsumeRecoveryCode(ctx, user, codes[1])
	require.NoError(t, err)
	assert.Equal(t, 2, left)
	_, err = s.ConsumeRecoveryCode(ctx, user, codes[1])
	assert.ErrorIs(t, err, factor.ErrNotFound, "a code is used once")
	assert.Equal(t, 2, countCodes(t, s, user))

	for i, c := range [][]byte{codes[0], codes[2]} {
		left, err = s.ConsumeRecoveryCode(ctx, user, c)
		require.NoError(t, err)
		assert.Equal(t, 1-i, left)
	}
	assert.Zero(t, countCodes(t, s, user))
}

func testRecoveryReplace(t *testing.T, s factor.Store) {
	ctx, user := t.Context(), newID("user")
	old := recoveryCodes(t, s, user, 2)
	fresh := recoveryCodes(t, s, user, 1)
	assert.Equal(t, 1, countCodes(t, s, user))
	for _, c := range old {
		_, err := s.ConsumeRecoveryCode(ctx, user, c)
		assert.ErrorIs(t, err, factor.ErrNotFound, "replaced codes are gone")
	}
	left, err := s.ConsumeRecoveryCode(ctx, user, fresh[0])
	require.NoError(t, err)
	assert.Zero(t, left)

	recoveryCodes(t, s, user, 4)
	require.NoError(t, s.ReplaceRecoveryCodes(ctx, user, nil))
	assert.Zero(t, countCodes(t, s, user), "replacing with none")
}

func testRecoveryNotFound(t *testing.T, s factor.Store) {
	ctx, user := t.Context(), newID("user")
	assert.Zero(t, countCodes(t, s, user))
	_, err := s.ConsumeRecoveryCode(ctx, user, hash("nothing"))
	assert.ErrorIs(t, err, factor.ErrNotFound)

	codes := recoveryCodes(t, s, user, 2)
	for _, h := range [][]byte{nil, {}, codes[0][:16], append(append([]byte(nil), codes[0]...), 0)} {
		_, err = s.ConsumeRecoveryCode(ctx, user, h)
		assert.ErrorIs(t, err, factor.ErrNotFound, "only the whole hash matches")
	}
	assert.Equal(t, 2, countCodes(t, s, user))
}

func testRecoveryOtherUser(t *testing.T, s factor.Store) {
	ctx, a, b := t.Context(), newID("user"), newID("user")
	shared := hash(newID("rc"))
	require.NoError(t, s.ReplaceRecoveryCodes(ctx, a, [][]byte{shared}))
	require.NoError(t, s.ReplaceRecoveryCodes(ctx, b, [][]byte{shared, hash(newID("rc"))}))
	_, err := s.ConsumeRecoveryCode(ctx, a, shared)
	require.NoError(t, err)
	assert.Equal(t, 2, countCodes(t, s, b), "codes belong to one user")
	_, err = s.ConsumeRecoveryCode(ctx, a, recoveryCodes(t, s, newID("user"), 1)[0])
	assert.ErrorIs(t, err, factor.ErrNotFound, "another user's code")
}

func testRecoveryCopies(t *testing.T, s factor.Store) {
	ctx, user := t.Context(), newID("user")
	codes := recoveryCodes(t, s, user, 2)
	want := append([]byte(nil), codes[0]...)
	codes[0][0] ^= 0xff
	_, err := s.ConsumeRecoveryCode(ctx, user, codes[0])
	assert.ErrorIs(t, err, factor.ErrNotFound, "mutating the argument changes nothing")
	_, err = s.ConsumeRecoveryCode(ctx, user, want)
	assert.NoError(t, err)
}

func testRecoveryConcurrentOne(t *testing.T, s factor.Store) {
	user := newID("user")
	codes := recoveryCodes(t, s, user, 10)
	errs := race(50, func(int) error {
		_, err := s.ConsumeRecoveryCode(t.Context(), user, codes[3])
		return err
	})
	assert.Equal(t, 1, wins(t, errs, factor.ErrNotFound), "a code is used once")
	assert.Equal(t, 9, countCodes(t, s, user))
}

func testRecoveryConcurrentMany(t *testing.T, s factor.Store) {
	user := newID("user")
	codes := recoveryCodes(t, s, user, 10)
	left := make([]int, len(codes))
	errs := race(len(codes), func(i int) error {
		n, err := s.ConsumeRecoveryCode(t.Context(), user, codes[i])
		left[i] = n + 1
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assertOnceEach(t, left)
	assert.Zero(t, countCodes(t, s, user))
}

func newActivation(userID string, now time.Time) *factor.ActivationCode {
	return &factor.ActivationCode{
		UserID:    userID,
		Hash:      hash(newID("act")),
		IssuedBy:  "service desk",
		CreatedAt: now,
		ExpiresAt: now.Add(21 * 24 * time.Hour),
	}
}

func putActivation(t *testing.T, s factor.Store, userID string) *factor.ActivationCode {
	t.Helper()
	a := newActivation(userID, baseTime())
	require.NoError(t, s.PutActivationCode(t.Context(), a))
	return a
}

// assertActivation checks that the user's stored activation code equals
// want.
func assertActivation(t *testing.T, s factor.Store, want *factor.ActivationCode) {
	t.Helper()
	got, err := s.GetActivationCode(t.Context(), want.UserID)
	require.NoError(t, err)
	norm := func(a *factor.ActivationCode) factor.ActivationCode {
		c := *a
		c.Hash = normBytes(c.Hash)
		c.CreatedAt, c.ExpiresAt, c.UsedAt = normTime(c.CreatedAt), normTime(c.ExpiresAt), normTime(c.UsedAt)
		return c
	}
	assert.Equal(t, norm(want), norm(got))
}

func testActivationPutGet(t *testing.T, s factor.Store) {
	a := putActivation(t, s, newID("user"))
	assertActivation(t, s, a)
	got, err := s.GetActivationCode(t.Context(), a.UserID)
	require.NoError(t, err)
	assert.True(t, got.UsedAt.IsZero(), "an unused code has a zero UsedAt")
}

func testActivationNotFound(t *testing.T, s factor.Store) {
	user := newID("user")
	_, err := s.GetActivationCode(t.Context(), user)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	err = s.UseActivationCode(t.Context(), user, hash("none"), baseTime())
	assert.ErrorIs(t, err, factor.ErrNotFound)
}

func testActivationUse(t *testing.T, s factor.Store) {
	ctx := t.Context()
	a := putActivation(t, s, newID("user"))
	now := baseTime().Add(time.Hour)
	assert.ErrorIs(t, s.UseActivationCode(ctx, a.UserID, hash("wrong"), now), factor.ErrConflict)
	assert.ErrorIs(t, s.UseActivationCode(ctx, a.UserID, a.Hash[:16], now), factor.ErrConflict)
	assertActivation(t, s, a)

	require.NoError(t, s.UseActivationCode(ctx, a.UserID, a.Hash, now))
	a.UsedAt = now
	assertActivation(t, s, a)
	assert.ErrorIs(t, s.UseActivationCode(ctx, a.UserID, a.Hash, now.Add(time.Minute)), factor.ErrConflict,
		"a code is used once")
	assertActivation(t, s, a)
}

func testActivationReplace(t *testing.T, s factor.Store) {
	ctx, user := t.Context(), newID("user")
	first := putActivation(t, s, user)
	require.NoError(t, s.UseActivationCode(ctx, user, first.Hash, baseTime()))
	second := putActivation(t, s, user)
	assertActivation(t, s, second)
	assert.ErrorIs(t, s.UseActivationCode(ctx, user, first.Hash, baseTime()), factor.ErrConflict)
	require.NoError(t, s.UseActivationCode(ctx, user, second.Hash, baseTime()))
}

func testActivationOtherUser(t *testing.T, s factor.Store) {
	a := putActivation(t, s, newID("user"))
	other := newID("user")
	assert.ErrorIs(t, s.UseActivationCode(t.Context(), other, a.Hash, baseTime()), factor.ErrNotFound)
	_, err := s.GetActivationCode(t.Context(), other)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	assertActivation(t, s, a)
}

func testActivationCopies(t *testing.T, s factor.Store) {
	a := putActivation(t, s, newID("user"))
	want := *a
	want.Hash = append([]byte(nil), a.Hash...)
	a.Hash[0] ^= 0xff
	a.IssuedBy = "changed after put"
	assertActivation(t, s, &want)
	got, err := s.GetActivationCode(t.Context(), want.UserID)
	require.NoError(t, err)
	got.Hash[0] ^= 0xff
	assertActivation(t, s, &want)
}

func testActivationConcurrent(t *testing.T, s factor.Store) {
	a := putActivation(t, s, newID("user"))
	now := baseTime()
	errs := race(50, func(int) error {
		return s.UseActivationCode(t.Context(), a.UserID, a.Hash, now)
	})
	assert.Equal(t, 1, wins(t, errs, factor.ErrConflict), "a code is used once")
	a.UsedAt = now
	assertActivation(t, s, a)
}
