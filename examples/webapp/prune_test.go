package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
)

// TestPruneEvery remembers a device of eva, lets it expire, remembers one
// of jan, and runs the pruner with a short interval: eva's device's row
// goes, jan's live device stays, and the pruner stops when its context
// ends.
func TestPruneEvery(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	ctx := context.Background()
	eva, user := ta.addUser(t, "eva@example.com", false), ta.addUser(t, "jan@example.com", false)
	if _, err := ta.devices.Remember(ctx, eva.ID, "Old laptop", 12*time.Hour, ta.Now()); err != nil {
		t.Fatal(err)
	}
	ta.clock.Add(24 * time.Hour)
	if _, err := ta.devices.Remember(ctx, user.ID, "Phone", 12*time.Hour, ta.Now()); err != nil {
		t.Fatal(err)
	}
	if n := ta.deviceRows(t); n != 2 {
		t.Fatalf("%d device rows before pruning, want 2", n)
	}

	pctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { ta.pruneEvery(pctx, 10*time.Millisecond) })
	deadline := time.Now().Add(10 * time.Second)
	for ta.deviceRows(t) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d device rows after 10 s of pruning, want 1", ta.deviceRows(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	wg.Wait()
	list, err := ta.devices.List(ctx, user.ID, ta.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Label != "Phone" {
		t.Fatalf("devices left: %+v", list)
	}
}

// deviceRows counts the rows of twostep_devices.
func (ta *testApp) deviceRows(t *testing.T) int {
	t.Helper()
	var n int
	if err := ta.db.QueryRow(`SELECT count(*) FROM twostep_devices`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
