package recovery_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/internal/race"
	"github.com/twostep/twostep/recovery"
)

// TestAllocsRedeemMiss holds a wrong recovery code to its allocation
// budget. Allocation counts, unlike timings, are the same on every machine;
// the race detector allocates on its own, so the test skips under -race
// (.ci/bench.sh runs it without).
func TestAllocsRedeemMiss(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates; .ci/bench.sh runs this without -race")
	}
	ctx := context.Background()
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Keys:    []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Logger:  slog.New(slog.DiscardHandler),
		Lockout: factor.Lockout{Limit: 100}, // 51 misses stay below it
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := recovery.New(m, recovery.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Generate(ctx, "alice", t0); err != nil {
		t.Fatal(err)
	}
	got := testing.AllocsPerRun(50, func() {
		if _, err := c.Redeem(ctx, "alice", wrongCode, t0); !errors.Is(err, factor.ErrInvalidCode) {
			t.Fatal("wrong code:", err)
		}
	})
	// Budget 15, as measured: normalising the code (2), and hashing it
	// under each key with factor.Sealer.MACs (the slice, and a new
	// HMAC-SHA256 for each hash). memstore waits on no I/O, so its calls
	// get no deadline. The miss error is made once.
	const budget = 15
	if got > budget {
		t.Errorf("%v allocations per wrong code, budget %v", got, budget)
	} else if got < budget {
		t.Logf("%v allocations per wrong code, below the budget of %v: lower it", got, budget)
	}
}
