package factor_test

// Allocation budgets of the hot paths. Allocations, unlike timings, are the
// same on every machine, so these tests fail CI on a regression however
// noisy the machine. Each budget is the count measured when it was set;
// lower it when a change saves an allocation. The race detector allocates
// on its own, so the tests skip under -race; .ci/bench.sh runs them
// without it.

import (
	"context"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/internal/race"
)

// allocRuns is how many runs each budget is averaged over.
const allocRuns = 50

// checkAllocs fails t when f allocates more than budget times per run on
// average.
func checkAllocs(t *testing.T, budget float64, f func()) {
	t.Helper()
	if race.Enabled {
		t.Skip("the race detector allocates; .ci/bench.sh runs this without -race")
	}
	got := testing.AllocsPerRun(allocRuns, f)
	if got > budget {
		t.Errorf("%v allocations per run, budget %v", got, budget)
	} else if got < budget {
		t.Logf("%v allocations per run, below the budget of %v: lower the budget", got, budget)
	}
}

func TestAllocsVerifyTOTP(t *testing.T) {
	ctx := context.Background()
	t.Run("wrong", func(t *testing.T) {
		// Budget 15, as measured: the store's copy of the enrollment and
		// of its sealed secret (memstore hands out copies, 2), opening the
		// secret for this call (the associated data and the plaintext, 2),
		// the authenticator app's check with a new crypto/hmac state (9),
		// and the attempt's bookkeeping (2). memstore waits on no I/O, so
		// its calls get no deadline. The error is a sentinel.
		m, e := perfSetup(t, memstore.New(), "alice")
		a := factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: perfWrongCode}
		checkAllocs(t, 15, func() { perfWrong(ctx, t, m, a) })
	})
	t.Run("wrong, a store with I/O", func(t *testing.T) {
		// Budget 23, as measured: a store that may wait on I/O (here
		// memstore behind the plain Store interface, so two store calls)
		// gets Config.StoreTimeout's deadline on each call when ctx has
		// none (context.WithTimeout, 4 each).
		m, e := perfSetup(t, plainStore{memstore.New()}, "alice")
		a := factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: perfWrongCode}
		checkAllocs(t, 23, func() { perfWrong(ctx, t, m, a) })
	})
	t.Run("right", func(t *testing.T) {
		// Budget 29, as measured: as for a wrong code, and the step-up
		// grant for the session (its random part, keyed hash and
		// encoding, 14). The save keeps the stored secret, which is
		// unchanged.
		m, e := perfSetup(t, memstore.New(), "alice")
		start := perfStep(perfNow)
		codes := make([]string, allocRuns+1)
		for i := range codes {
			codes[i] = perfCode(perfSecret, start+int64(i))
		}
		i := 0
		checkAllocs(t, 29, func() {
			a := factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: codes[i]}
			now := time.Unix((start+int64(i))*30+15, 0)
			i++
			if _, err := m.Verify(ctx, a, now); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestAllocsSealer(t *testing.T) {
	s, err := factor.NewSealer([]factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}})
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("twostep enrollment v1\x00\x05alice\x00enrollment-id-of-26-chars")
	sealed, err := s.Seal(perfSecret, ad)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("challenge-id-of-26-chars-x\x00123456")
	hash := s.MAC("challenge", "alice", data)
	t.Run("Open", func(t *testing.T) {
		// Budget 1: the plaintext.
		checkAllocs(t, 1, func() {
			if _, err := s.Open(sealed, ad); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("MAC", func(t *testing.T) {
		// Budget 10, as measured: a new HMAC-SHA256 per hash (its state,
		// two SHA-256 states and the padded keys), the length-prefixed
		// fields, the sum and the result.
		checkAllocs(t, 10, func() { s.MAC("challenge", "alice", data) })
	})
	t.Run("CheckMAC", func(t *testing.T) {
		// Budget 9, as measured: MAC without the result.
		checkAllocs(t, 9, func() {
			if !s.CheckMAC(hash, "challenge", "alice", data) {
				t.Fatal("hash refused")
			}
		})
	})
}
