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
	"strconv"
	"strings"
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
	loadConns      = flag.Int("load.conns", 0, "connections of TestLoadPostgres's pool, if not one per goroutine")
	loadRates      = flag.String("load.rates", "1000", "comma-separated total rates, logins per second, of TestLoadPostgresOpenLoop")
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
	shape, m, users := loadSetup(t)
	res := loadRun(t, m, users, shape)
	res.log(t, shape)
}

// TestLoadPostgresOpenLoop is TestLoadPostgres with an open loop: the
// goroutines issue logins at a fixed total rate, whether or not earlier
// ones have finished, as independent users would, rather than each
// waiting for its last login as a closed loop does. Login k is scheduled
// at start + k/rate and goroutine g issues logins g, g+N, g+2N, …, waiting
// for each one's time or issuing it at once when it is late. Latency is
// measured from the scheduled time, so that time spent waiting behind a
// slow login counts (no coordinated omission). Go's timers wake a sleeping
// goroutine up to about a millisecond late here, so the latency is also
// reported less that oversleep (the wait behind the goroutine's previous
// login plus the login's own time), and the service time from the actual
// start beside it. It runs each rate of -load.rates for the shape's
// duration and reports the rate achieved; a run that falls behind stops
// issuing at twice the duration:
//
//	go test -run TestLoadPostgresOpenLoop -v -load.rates 500,1000,2000 ./factor/sqlstore/
func TestLoadPostgresOpenLoop(t *testing.T) {
	shape, m, users := loadSetup(t)
	for _, f := range strings.Split(*loadRates, ",") {
		rate, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || rate <= 0 {
			t.Fatalf("-load.rates: %q is not a positive rate", f)
		}
		res := loadRunOpen(t, m, users, shape, rate)
		res.logOpen(t, shape, rate)
	}
}

// loadSetup returns the shape the flags ask for and a Manager on a fresh,
// migrated PostgreSQL schema with the shape's users enrolled.
func loadSetup(t *testing.T) (loadShape, *factor.Manager, []*loadUser) {
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
	conns := cmp.Or(*loadConns, shape.goroutines)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	s, err := sqlstore.New(db, sqlstore.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := loadManager(t, s)
	return shape, m, loadEnrol(t, m, shape)
}

func loadManager(t *testing.T, s factor.Store) *factor.Manager {
	app, err := totp.New(totp.Config{Issuer: "Load"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := factor.NewManager(factor.Config{
		Store:   s,
		Factors: []factor.Factor{app},
		Keys:    []factor.ServerKey{{ID: "load", Secret: []byte("0123456789abcdef0123456789abcdef")}},
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
	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP}, now)
	if err != nil {
		return nil, fmt.Errorf("enrol %s: %w", user, err)
	}
	a := factor.Answer{UserID: user, EnrollmentID: e.ID, Code: loadCode(e.Secret, loadStart)}
	if _, err := m.Confirm(ctx, a, now); err != nil {
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
	// For an open loop, latencies count from each login's scheduled
	// start, queued from it less the load generator's oversleep, and
	// service from its actual start.
	queued, service []time.Duration
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
				a := factor.Answer{UserID: u.id, EnrollmentID: u.enrollment, Code: loadCode(u.secret, u.step)}
				t0 := time.Now()
				_, err := m.Verify(ctx, a, loadTime(u.step))
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
	t.Logf("PostgreSQL load: %d goroutines, %d users, %d TOTP logins (right codes, 2 statements each) in %v",
		shape.goroutines, shape.users, n, r.elapsed.Round(time.Millisecond))
	t.Logf("throughput %.0f logins/s; latency p50 %v, p90 %v, p99 %v, max %v",
		float64(n)/r.elapsed.Seconds(), pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), r.latencies[n-1].Round(time.Microsecond))
}

// loadRunOpen logs users in at rate logins per second in all, for the
// shape's duration. See TestLoadPostgresOpenLoop.
func loadRunOpen(t *testing.T, m *factor.Manager, users []*loadUser, shape loadShape, rate float64) loadResult {
	n := shape.goroutines
	interval := time.Duration(float64(time.Second) / rate)
	total := int64(rate * shape.duration.Seconds())
	lat, que, svc := make([][]time.Duration, n), make([][]time.Duration, n), make([][]time.Duration, n)
	ctx := context.Background()
	start := time.Now().Add(time.Millisecond)
	stop := start.Add(2 * shape.duration)
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			var mine []*loadUser
			for i := g; i < len(users); i += n {
				mine = append(mine, users[i])
			}
			times := make([]time.Duration, 0, total/int64(n)+1)
			queued := make([]time.Duration, 0, total/int64(n)+1)
			service := make([]time.Duration, 0, total/int64(n)+1)
			defer func() { lat[g], que[g], svc[g] = times, queued, service }()
			var prevDone time.Time
			for k := 0; ; k++ {
				idx := int64(k*n + g)
				if idx >= total || time.Now().After(stop) {
					return
				}
				scheduled := start.Add(time.Duration(idx) * interval)
				if d := time.Until(scheduled); d > 0 {
					time.Sleep(d)
				}
				u := mine[k%len(mine)]
				u.step++
				a := factor.Answer{UserID: u.id, EnrollmentID: u.enrollment, Code: loadCode(u.secret, u.step)}
				t0 := time.Now()
				_, err := m.Verify(ctx, a, loadTime(u.step))
				done := time.Now()
				// The login was ready to go at its scheduled time or, if
				// the previous one was still running then, when that
				// one finished; any later start is the timer's oversleep.
				ready := scheduled
				if prevDone.After(ready) {
					ready = prevDone
				}
				prevDone = done
				times = append(times, done.Sub(scheduled))
				queued = append(queued, done.Sub(t0)+ready.Sub(scheduled))
				service = append(service, done.Sub(t0))
				if err != nil {
					t.Errorf("%s at step %d: %v", u.id, u.step, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return loadResult{elapsed: time.Since(start), latencies: slices.Concat(lat...),
		queued: slices.Concat(que...), service: slices.Concat(svc...)}
}

// percentiles returns p50, p90, p99 and the maximum of sorted durations.
func percentiles(d []time.Duration) (p50, p90, p99, maxd time.Duration) {
	pct := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))].Round(time.Microsecond) }
	return pct(0.50), pct(0.90), pct(0.99), d[len(d)-1].Round(time.Microsecond)
}

func (r loadResult) logOpen(t *testing.T, shape loadShape, rate float64) {
	n := len(r.latencies)
	if n == 0 {
		t.Fatal("no logins")
	}
	t.Logf("PostgreSQL open loop: %d goroutines, %d users, %.0f logins/s asked, %.0f achieved (%d TOTP logins in %v)",
		shape.goroutines, shape.users, rate, float64(n)/r.elapsed.Seconds(), n, r.elapsed.Round(time.Millisecond))
	for _, l := range []struct {
		what string
		d    []time.Duration
	}{
		{"latency from the scheduled start", r.latencies},
		{"the same less the timer's oversleep", r.queued},
		{"service time from the actual start", r.service},
	} {
		slices.Sort(l.d)
		p50, p90, p99, mx := percentiles(l.d)
		t.Logf("%s: p50 %v, p90 %v, p99 %v, max %v", l.what, p50, p90, p99, mx)
	}
}
