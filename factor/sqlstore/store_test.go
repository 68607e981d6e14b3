package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

// These tests cover what is particular to sqlstore: how values survive the
// trip through each database, and that the single-statement operations hold
// under concurrency. The full contract is factortest's.

var ctx = context.Background()

func forEachBackend(t *testing.T, test func(t *testing.T, s *sqlstore.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b.newStore(t))
		})
	}
}

func TestNewRefusesBadArguments(t *testing.T) {
	_, err := sqlstore.New(nil, sqlstore.SQLite)
	assert.Error(t, err)
	_, err = sqlstore.New(openSQLiteMemory(t), sqlstore.Dialect(0))
	assert.Error(t, err)
	assert.Nil(t, sqlstore.Migrations(sqlstore.Dialect(9)))
}

func TestValuesRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *sqlstore.Store) {
		amsterdam, err := time.LoadLocation("Europe/Amsterdam")
		require.NoError(t, err)
		created := time.Date(2025, 4, 1, 9, 30, 15, 123456789, amsterdam)
		e := &factor.Enrollment{
			ID: "e1", UserID: "u1", Kind: factor.KindSMS, Label: "Werk",
			Address: "+31612345678", Primary: true, Confirmed: true,
			Secret: []byte{0, 1, 2, 255}, Counter: 1 << 40,
			CreatedAt: created, LastUsedAt: time.Unix(0, 0),
		}
		require.NoError(t, s.CreateEnrollment(ctx, e))
		got, err := s.GetEnrollment(ctx, "u1", "e1")
		require.NoError(t, err)
		want := e.Clone()
		want.CreatedAt = created.UTC().Truncate(time.Microsecond)
		want.LastUsedAt = time.Unix(0, 0).UTC()
		assert.Equal(t, want, got)
		assert.Equal(t, time.UTC, got.CreatedAt.Location())
		assert.True(t, got.ExpiresAt.IsZero())

		e2 := &factor.Enrollment{ID: "e2", UserID: "u1", Kind: factor.KindTOTP}
		require.NoError(t, s.CreateEnrollment(ctx, e2))
		got, err = s.GetEnrollment(ctx, "u1", "e2")
		require.NoError(t, err)
		assert.Equal(t, e2, got, "nil slices and zero times survive")
	})
}

func TestListOrdersZeroTimeFirst(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *sqlstore.Store) {
		now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
		for _, e := range []*factor.Enrollment{
			{ID: "c", UserID: "u", Kind: factor.KindTOTP, CreatedAt: now},
			{ID: "b", UserID: "u", Kind: factor.KindTOTP},
			{ID: "a", UserID: "u", Kind: factor.KindTOTP, CreatedAt: now},
		} {
			require.NoError(t, s.CreateEnrollment(ctx, e))
		}
		list, err := s.ListEnrollments(ctx, "u")
		require.NoError(t, err)
		var ids string
		for _, e := range list {
			ids += e.ID
		}
		assert.Equal(t, "bac", ids)
	})
}

func TestErrorsAreSentinels(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *sqlstore.Store) {
		e := &factor.Enrollment{ID: "e", UserID: "u", Kind: factor.KindTOTP}
		require.NoError(t, s.CreateEnrollment(ctx, e))
		assert.ErrorIs(t, s.CreateEnrollment(ctx, &factor.Enrollment{ID: "e", UserID: "v"}), factor.ErrConflict)
		_, err := s.GetEnrollment(ctx, "v", "e")
		assert.ErrorIs(t, err, factor.ErrNotFound)
		stale := e.Clone()
		require.NoError(t, s.UpdateEnrollment(ctx, e))
		assert.ErrorIs(t, s.UpdateEnrollment(ctx, stale), factor.ErrConflict)
		assert.ErrorIs(t, s.UpdateEnrollment(ctx, &factor.Enrollment{ID: "x", UserID: "u", Version: 1}), factor.ErrNotFound)
		assert.ErrorContains(t, s.UpdateEnrollment(ctx, stale), "sqlstore: update enrollment")

		require.NoError(t, s.PutActivationCode(ctx, &factor.ActivationCode{UserID: "u", Hash: []byte("h")}))
		now := time.Now()
		assert.ErrorIs(t, s.UseActivationCode(ctx, "u", []byte("x"), now), factor.ErrConflict)
		assert.ErrorIs(t, s.UseActivationCode(ctx, "v", []byte("h"), now), factor.ErrNotFound)
		require.NoError(t, s.UseActivationCode(ctx, "u", []byte("h"), now))
		assert.ErrorIs(t, s.UseActivationCode(ctx, "u", []byte("h"), now), factor.ErrConflict)

		_, err = s.ConsumeRecoveryCode(ctx, "u", []byte("h"))
		assert.ErrorIs(t, err, factor.ErrNotFound)
	})
}

func TestAttempts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *sqlstore.Store) {
		now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
		a, err := s.ReserveAttempt(ctx, "u", now)
		require.NoError(t, err)
		assert.Equal(t, factor.LockState{Failures: 1}, a)
		until := now.Add(15 * time.Minute)
		a, err = s.LockUser(ctx, "u", now, until)
		require.NoError(t, err)
		assert.Equal(t, factor.LockState{Locks: 1, LockedUntil: until}, a)
		a, err = s.LockUser(ctx, "u", now.Add(time.Minute), now.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, factor.LockState{Locks: 1, LockedUntil: until}, a, "already locked")
		a, err = s.ReserveAttempt(ctx, "u", now.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, 0, a.Failures, "locked: not counted")
		a, err = s.ReserveAttempt(ctx, "u", until)
		require.NoError(t, err)
		assert.Equal(t, factor.LockState{Failures: 1, Locks: 1, LockedUntil: until}, a, "lock over")
		require.NoError(t, s.ResetAttempts(ctx, "u"))
		a, err = s.ReserveAttempt(ctx, "u", now)
		require.NoError(t, err)
		assert.Equal(t, factor.LockState{Failures: 1}, a)
	})
}

func TestCounterWindow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *sqlstore.Store) {
		now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
		for want := int64(1); want <= 3; want++ {
			n, err := s.IncrementCounter(ctx, "k", now, now.Add(time.Hour))
			require.NoError(t, err)
			assert.Equal(t, want, n)
		}
		n, err := s.IncrementCounter(ctx, "k", now.Add(time.Hour), now.Add(2*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "window ended")
	})
}

// race runs f in 100 goroutines at once and returns how many returned nil.
func race(t *testing.T, f func(i int) error) int {
	var wg sync.WaitGroup
	var wins atomic.Int64
	start := make(chan struct{})
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Go(func() {
			<-start
			err := f(i)
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, factor.ErrConflict) && !errors.Is(err, factor.ErrNotFound):
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return int(wins.Load())
}

func TestConcurrentSingleWinners(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *sqlstore.Store) {
		now := time.Now()
		e := &factor.Enrollment{ID: "e", UserID: "u", Kind: factor.KindTOTP}
		require.NoError(t, s.CreateEnrollment(ctx, e))
		assert.Equal(t, 1, race(t, func(i int) error {
			c := e.Clone()
			c.Counter = int64(i)
			return s.UpdateEnrollment(ctx, c)
		}), "update enrollment")

		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u", [][]byte{[]byte("a"), []byte("b")}))
		assert.Equal(t, 1, race(t, func(int) error {
			_, err := s.ConsumeRecoveryCode(ctx, "u", []byte("a"))
			return err
		}), "consume recovery code")

		require.NoError(t, s.PutActivationCode(ctx, &factor.ActivationCode{UserID: "u", Hash: []byte("h")}))
		assert.Equal(t, 1, race(t, func(int) error {
			return s.UseActivationCode(ctx, "u", []byte("h"), now)
		}), "use activation code")

		assert.Equal(t, 1, race(t, func(int) error {
			return s.SaveUserState(ctx, &factor.UserState{UserID: "u", PromptedAt: now})
		}), "save user state")

		assert.Equal(t, 100, race(t, func(int) error {
			_, err := s.ReserveAttempt(ctx, "u", now)
			return err
		}))
		a, err := s.ReserveAttempt(ctx, "u", now)
		require.NoError(t, err)
		assert.Equal(t, 101, a.Failures)

		race(t, func(int) error {
			_, err := s.IncrementCounter(ctx, "k", now, now.Add(time.Hour))
			return err
		})
		n, err := s.IncrementCounter(ctx, "k", now, now.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(101), n)

		assert.Equal(t, 100, race(t, func(i int) error {
			return s.ReplaceRecoveryCodes(ctx, "r", [][]byte{[]byte(fmt.Sprint(i)), []byte("x")})
		}))
		n2, err := s.CountRecoveryCodes(ctx, "r")
		require.NoError(t, err)
		assert.Equal(t, 2, n2, "replacements do not mix")
	})
}
