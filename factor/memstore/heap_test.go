package memstore_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
)

var long = flag.Bool("long", false, "run the long memory test: 1,000,000 logins over 1,000 simulated days")

// textFactor is an SMS-like Challenger: the Manager makes, sends and
// checks its codes, and it composes a plain message.
type textFactor struct{}

func (textFactor) Kind() factor.Kind { return factor.KindSMS }

func (textFactor) Compose(_ *factor.Enrollment, _ *factor.Challenge, code, _ string) (factor.Message, error) {
	return factor.Message{Text: "Your code is " + code}, nil
}

// TestHeapStaysFlat logs 1,000 users in by SMS-like codes, each once a
// simulated day, through a Manager on one memstore that nobody prunes,
// and reads HeapAlloc after runtime.GC() at two points: the store sweeps
// its expired challenges and counters itself, so the heap does not grow
// with the logins. With -long it runs 1,000,000 logins over 1,000 days and
// compares login 200,000 with login 1,000,000; otherwise 200,000 logins
// over 200 days, comparing login 40,000 with login 200,000. The
// difference must be at most 20 MiB either way; before the sweeps every
// login left about 376 bytes behind (57 MiB over the short run).
func TestHeapStaysFlat(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures the heap over 200,000 logins; not under -short or -race")
	}
	const users = 1000
	first, last := 40_000, 200_000
	if *long {
		first, last = 200_000, 1_000_000
	}
	ctx := context.Background()
	var code string
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Keys:    []factor.ServerKey{{ID: "k", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Factors: []factor.Factor{textFactor{}},
		Sender:  factor.SenderFunc(func(_ context.Context, msg factor.Message) error { code = msg.Code; return nil }),
	})
	require.NoError(t, err)

	start := time.Date(2026, 1, 1, 7, 0, 0, 0, time.UTC)
	phones := make([]string, users)
	for u := range users {
		user := fmt.Sprintf("user-%04d", u)
		e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindSMS, Address: fmt.Sprintf("+3161%07d", u)}, start)
		require.NoError(t, err)
		sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID}, start)
		require.NoError(t, err)
		_, err = m.Confirm(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, start)
		require.NoError(t, err)
		phones[u] = e.ID
	}

	heaps := map[int]uint64{}
	began := time.Now()
	for login := 1; login <= last; login++ {
		day, u := (login-1)/users, (login-1)%users
		now := start.Add(time.Duration(day+1)*24*time.Hour + time.Duration(u)*40*time.Second)
		user := fmt.Sprintf("user-%04d", u)
		sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: phones[u]}, now)
		if err != nil {
			t.Fatalf("login %d: challenge: %v", login, err)
		}
		if _, err := m.Verify(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, now.Add(20*time.Second)); err != nil {
			t.Fatalf("login %d: verify: %v", login, err)
		}
		if login == first || login == last {
			heaps[login] = heapAlloc()
		}
	}
	grew := int64(heaps[last]) - int64(heaps[first])
	t.Logf("%d logins over %d days in %v: HeapAlloc %.1f MiB at login %d, %.1f MiB at login %d, difference %+.2f MiB",
		last, last/users, time.Since(began).Round(time.Millisecond),
		mib(heaps[first]), first, mib(heaps[last]), last, float64(grew)/(1<<20))
	assert.LessOrEqual(t, grew, int64(20<<20), "the heap grows with the logins")
	runtime.KeepAlive(m)
}

// heapAlloc returns HeapAlloc after two garbage collections.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
