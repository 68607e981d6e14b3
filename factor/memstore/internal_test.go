package memstore

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
)

func TestCountersExpireLazily(t *testing.T) {
	s := New()
	ctx, now := context.Background(), time.Now()
	for i := range 10 * minSweep {
		at := now.Add(time.Duration(i) * time.Second)
		_, err := s.IncrementCounter(ctx, fmt.Sprint("key-", i), at, at.Add(time.Minute))
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, len(s.counters.m), minSweep, "expired counters are swept")
}

func TestEmptyUsersAreForgotten(t *testing.T) {
	s := New()
	ctx, now := context.Background(), time.Now()
	for i := range 100 {
		user := fmt.Sprint("user-", i)
		_, err := s.ReserveAttempt(ctx, user, now)
		require.NoError(t, err)
		require.NoError(t, s.ResetAttempts(ctx, user))
	}
	e := &factor.Enrollment{ID: "e", UserID: "u"}
	require.NoError(t, s.CreateEnrollment(ctx, e))
	require.NoError(t, s.DeleteEnrollment(ctx, "u", "e"))
	assert.Empty(t, s.users)
}

// TestMemoryPerUser checks the memory budget: a user with an authenticator
// app, two phones, ten recovery codes and two trusted devices costs at most
// 4 KiB, counting the records' own strings and bytes.
func TestMemoryPerUser(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	const users = 2000
	s := New()
	before := heap()
	for i := range users {
		addUser(t, s, fmt.Sprintf("user-%08d", i))
	}
	perUser := (heap() - before) / users
	t.Logf("%d bytes per user", perUser)
	assert.LessOrEqual(t, perUser, uint64(4096))
	runtime.KeepAlive(s)
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func addUser(t *testing.T, s *Store, user string) {
	ctx, now := context.Background(), time.Now()
	for i, kind := range []factor.Kind{factor.KindTOTP, factor.KindSMS, factor.KindSMS} {
		e := &factor.Enrollment{
			ID: fmt.Sprintf("%s-enrollment-%d", user, i), UserID: user, Kind: kind, Label: "My phone",
			Secret: make([]byte, 60), CreatedAt: now, ConfirmedAt: now, Confirmed: true,
		}
		if kind == factor.KindSMS {
			e.Address, e.Secret = "+31612345678", nil
		}
		require.NoError(t, s.CreateEnrollment(ctx, e))
	}
	codes := make([][]byte, 10)
	for i := range codes {
		codes[i] = make([]byte, 32)
	}
	require.NoError(t, s.ReplaceRecoveryCodes(ctx, user, codes))
	for i := range 2 {
		d := &factor.TrustedDevice{
			ID: fmt.Sprintf("%s-device-%d", user, i), UserID: user, Label: "Firefox on Linux",
			ValidatorHash: make([]byte, 32), CreatedAt: now, LastUsedAt: now, ExpiresAt: now,
		}
		require.NoError(t, s.CreateDevice(ctx, d))
	}
	_, err := s.ReserveAttempt(ctx, user, now)
	require.NoError(t, err)
	st := &factor.UserState{UserID: user, PromptedAt: now}
	require.NoError(t, s.SaveUserState(ctx, st))
}
