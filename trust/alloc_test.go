package trust_test

import (
	"context"
	"testing"
	"time"

	"github.com/twostep/twostep/internal/race"
)

// TestAllocsCheck holds Check to its allocation budgets. Allocation counts,
// unlike timings, are the same on every machine; the race detector
// allocates on its own, so the test skips under -race (.ci/bench.sh runs it
// without).
func TestAllocsCheck(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates; .ci/bench.sh runs this without -race")
	}
	ctx := context.Background()
	d := benchDevices(t)
	tok := benchToken(t, d, "alice")
	unknown := benchToken(t, benchDevices(t), "alice")
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		token  string
		want   bool
		budget float64
	}{
		// Budget 12, as measured: the ID and validator (1), the store's
		// copy of the device and its hash (2), and factor.Sealer.CheckMAC's
		// new HMAC-SHA256 (9).
		{"trusted", tok, true, 12},
		// Budget 1: the ID and validator; the store finds nothing.
		{"unknown", unknown, false, 1},
	} {
		got := testing.AllocsPerRun(50, func() {
			if ok, err := d.Check(ctx, "alice", tc.token, now); ok != tc.want || err != nil {
				t.Fatal(tc.name, ok, err)
			}
		})
		if got > tc.budget {
			t.Errorf("%s: %v allocations per Check, budget %v", tc.name, got, tc.budget)
		} else if got < tc.budget {
			t.Logf("%s: %v allocations per Check, below the budget of %v: lower it", tc.name, got, tc.budget)
		}
	}
}
