package sqlstore_test

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/totp"
)

var (
	loadLong       = flag.Bool("load.long", false, "run the long PostgreSQL load test (TestLoadPostgres)")
	loadGoroutines = flag.Int("load.goroutines", 0, "goroutines of TestLoadPostgres, if not the variant's")
	loadUsers      = flag.Int("load.users", 0, "users of TestLoadPostgres, if not the variant's")
	loadDuration   = flag.Duration("load.duration", 0, "duration of TestLoadPostgres, if not the variant's")
)

// loadShape bounds a load test in operations and in time, whichever ends
// it first.
type loadShape struct {
	goroutines int
	users      int
	duration   time.Duration
	maxOps     int64
}

var (
	loadShort = loadShape{goroutines: 16, users: 1_000, duration: 2 * time.Second, maxOps: 100_000}
	loadFull  = loadShape{goroutines: 64, users: 10_000, duration: 30 * time.Second, maxOps: 5_000_000}
)

// TestLoadPostgres runs logins with an authenticator app against
// PostgreSQL over loopback, in a fresh schema: N goroutines verify right
// codes for M users, each goroutine for users of its own so that no code
// is a replay, each user one step later each time. It reports throughput
// and latency percentiles with t.Logf and asserts only that every login
// succeeds: timings on a shared machine are reported, not judged. The
// short variant (16 goroutines, 1,000 users, 2 s) runs with the tests; the
// long one (64 goroutines, 10,000 users, 30 s) with -load.long:
//
//	go test -run TestLoadPostgres -v -load.long ./factor/sqlstore/
func TestLoadPostgres(t *testing.T) {
	shape := loadShort
	if *loadLong {
		shape = loadFull
	} else if testing.Short() {
		t.Skip("a load test; run without -short")
	}
	shape.goroutines = cmp.Or(*loadGoroutines, shape.goroutines)
	shape.users = max(cmp.Or(*loadUsers, shape.users), shape.goroutines)
	shape.duration = cmp.Or(*loadDuration, shape.duration)
	postgresDSN(t) // skips, or fails with TWOSTEP_REQUIRE_SERVICES=1
	db := openPostgres(t)
	db.SetMaxOpenConns(shape.goroutines)
	db.SetMaxIdleConns(shape.goroutines)
	s, err := sqlstore.New(db, sqlstore.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := loadManager(t, s)
	users := loadEnrol(t, m, shape)
	res := loadRun(t, m, users, shape)
	res.log(t, shape)
}

func loadManager(t *testing.T, s factor.Store) *factor.Manager {
	app, err := totp.New(totp.Config{Issuer: "Load"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := factor.NewManager(factor.Config{
		Store:   s,
		Factors: []factor.Factor{app},
		Keys:    []factor.Key{{ID: "load", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// loadUser is one user of the load test and the last step it logged in at.
type loadUser struct {
	id, enrollment string
	secret         []byte
	step           int64
}

// loadStart is the step every user enrols at.
var loadStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 30

func loadTime(step int64) time.Time { return time.Unix(step*30+10, 0) }

// loadEnrol enrols and confirms an authenticator app for each user, with
// the test's goroutines.
func loadEnrol(t *testing.T, m *factor.Manager, shape loadShape) []*loadUser {
	users := make([]*loadUser, shape.users)
	var wg sync.WaitGroup
	for g := range shape.goroutines {
		wg.Go(func() {
			for i := g; i < len(users); i += shape.goroutines {
				u, err := loadEnrolOne(m, fmt.Sprintf("load-user-%06d", i))
				if err != nil {
					t.Error(err)
					return
				}
				users[i] = u
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return users
}

func loadEnrolOne(m *factor.Manager, user string) (*loadUser, error) {
	ctx, now := context.Background(), loadTime(loadStart)
	e, err := m.Enroll(ctx, factor.Enrollment{UserID: user, Kind: factor.KindTOTP}, now)
	if err != nil {
		return nil, fmt.Errorf("enrol %s: %w", user, err)
	}
	a := factor.Attempt{UserID: user, EnrollmentID: e.ID, Code: loadCode(e.Secret, loadStart)}
	if err := m.Confirm(ctx, a, now); err != nil {
		return nil, fmt.Errorf("confirm %s: %w", user, err)
	}
	return &loadUser{id: user, enrollment: e.ID, secret: e.Secret, step: loadStart}, nil
}

// loadCode computes the 6-digit SHA-1 TOTP code of secret at step with
// crypto/hmac, independently of package totp.
func loadCode(secret []byte, step int64) string {
	mac := hmac.New(sha1.New, secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(step))
	mac.Write(b[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// loadResult is what a load run measured.
type loadResult struct {
	elapsed   time.Duration
	latencies []time.Duration
}

// loadRun logs users in until the shape's time or operations run out.
// Goroutine g has users g, g+N, g+2N, … and logs them in in turn, so that
// no two goroutines race for one user's code.
func loadRun(t *testing.T, m *factor.Manager, users []*loadUser, shape loadShape) loadResult {
	var ops atomic.Int64
	lat := make([][]time.Duration, shape.goroutines)
	ctx := context.Background()
	start := time.Now()
	deadline := start.Add(shape.duration)
	var wg sync.WaitGroup
	for g := range shape.goroutines {
		wg.Go(func() {
			var mine []*loadUser
			for i := g; i < len(users); i += shape.goroutines {
				mine = append(mine, users[i])
			}
			times := make([]time.Duration, 0, 4096)
			defer func() { lat[g] = times }()
			for i := 0; time.Now().Before(deadline) && ops.Add(1) <= shape.maxOps; i++ {
				u := mine[i%len(mine)]
				u.step++
				a := factor.Attempt{UserID: u.id, EnrollmentID: u.enrollment, Code: loadCode(u.secret, u.step)}
				t0 := time.Now()
				err := m.Verify(ctx, a, loadTime(u.step))
				times = append(times, time.Since(t0))
				if err != nil {
					t.Errorf("%s at step %d: %v", u.id, u.step, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return loadResult{elapsed: time.Since(start), latencies: slices.Concat(lat...)}
}

func (r loadResult) log(t *testing.T, shape loadShape) {
	n := len(r.latencies)
	if n == 0 {
		t.Fatal("no logins")
	}
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration { return r.latencies[min(n-1, int(p*float64(n)))] }
	t.Logf("PostgreSQL load: %d goroutines, %d users, %d TOTP logins (right codes, 3 statements each) in %v",
		shape.goroutines, shape.users, n, r.elapsed.Round(time.Millisecond))
	t.Logf("throughput %.0f logins/s; latency p50 %v, p90 %v, p99 %v, max %v",
		float64(n)/r.elapsed.Seconds(), pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), r.latencies[n-1].Round(time.Microsecond))
}
