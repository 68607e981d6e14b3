package memstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/totp"
	"github.com/twostep/twostep/trust"
)

// memUsers is how many users BenchmarkMemoryPerUser creates per operation.
const memUsers = 10_000

// memEnv is what creates users the way an application does: a Manager
// with TOTP and SMS on a fresh memstore, recovery codes and trusted
// devices.
type memEnv struct {
	store    *memstore.Store
	m        *factor.Manager
	recovery *recovery.Codes
	devices  *trust.Devices
}

func newMemEnv(tb testing.TB) *memEnv {
	tb.Helper()
	app, err := totp.New(totp.Config{Issuer: "Bench"})
	if err != nil {
		tb.Fatal(err)
	}
	texts, err := sms.New(sms.Config{AppName: "Bench"})
	if err != nil {
		tb.Fatal(err)
	}
	env := &memEnv{store: memstore.New()}
	env.m, err = factor.NewManager(factor.Config{
		Store:   env.store,
		Factors: []factor.Factor{app, texts},
		Keys:    []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Sender:  factor.SenderFunc(func(context.Context, factor.Message) error { return nil }),
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	if env.recovery, err = recovery.New(env.m, recovery.Config{}); err != nil {
		tb.Fatal(err)
	}
	if env.devices, err = trust.New(env.m, trust.Config{}); err != nil {
		tb.Fatal(err)
	}
	return env
}

// addUser gives user what BenchmarkMemoryPerUser counts: an authenticator
// app, two phone numbers, ten recovery codes and two trusted devices, all
// through the public API, so that IDs, sealed secrets and hashes have
// their real sizes.
func (env *memEnv) addUser(tb testing.TB, user string, now time.Time) {
	ctx := context.Background()
	for _, e := range []factor.EnrollRequest{
		{UserID: user, Kind: factor.KindTOTP, Label: "Phone"},
		{UserID: user, Kind: factor.KindSMS, Address: "06-12345678"},
		{UserID: user, Kind: factor.KindSMS, Address: "06-87654321", Label: "Work phone"},
	} {
		if _, err := env.m.Enroll(ctx, e, now); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := env.recovery.Generate(ctx, user, now); err != nil {
		tb.Fatal(err)
	}
	for _, label := range []string{"Firefox on Linux", "Safari on iPhone"} {
		if _, err := env.devices.Remember(ctx, user, label, 7*24*time.Hour, now); err != nil {
			tb.Fatal(err)
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// memoryPerUser creates memUsers users in a fresh memstore and returns the
// growth of the live heap divided by memUsers.
func memoryPerUser(tb testing.TB) float64 {
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	env := newMemEnv(tb)
	env.addUser(tb, "warm-up", now) // loads phone metadata and templates
	if _, err := env.store.DeleteEnrollments(context.Background(), "warm-up"); err != nil {
		tb.Fatal(err)
	}
	users := make([]string, memUsers)
	for i := range users {
		// 36 bytes, the size of a UUID, a common user ID.
		users[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	before := heapInUse()
	for _, u := range users {
		env.addUser(tb, u, now)
	}
	after := heapInUse()
	runtime.KeepAlive(env)
	return float64(after-before) / memUsers
}

// BenchmarkMemoryPerUser reports the memstore's memory per user of the mix
// above as the metric B/user: the live heap before and after creating
// 10,000 users, divided by 10,000. The user IDs themselves are allocated
// before the first measurement. ns/op is the time to create 10,000 users.
func BenchmarkMemoryPerUser(b *testing.B) {
	var perUser float64
	for b.Loop() {
		perUser = memoryPerUser(b)
	}
	b.ReportMetric(perUser, "B/user")
}
