package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PruneBatch is the most records one store call of Prune removes; a SQL
// store removes at most this many rows per statement.
const PruneBatch = 1000

// Prune removes what can never be used again at now: expired challenges,
// send-budget counters whose window ended, expired trusted devices,
// abandoned pending enrollments and expired activation codes. It returns
// how many records went.
//
// It works in batches of at most PruneBatch records, so that no database
// statement holds locks for long on a table of millions, and stops early
// when ctx ends. Several instances may prune at once. When there is
// nothing to remove it costs one indexed statement per table. Call it from
// every instance on a ticker, about every ten minutes: the interval bounds
// how much dead data waits, not whether anything works. memstore sweeps
// itself and needs no calls.
//
// The store must implement PruningStore; otherwise Prune removes nothing
// and returns an error wrapping errors.ErrUnsupported.
func (m *Manager) Prune(ctx context.Context, now time.Time) (int, error) {
	ps, ok := m.cfg.Store.(PruningStore)
	if !ok {
		return 0, fmt.Errorf("factor: prune: %w: the store is not a factor.PruningStore", errors.ErrUnsupported)
	}
	total := 0
	for {
		sctx, cancel := m.storeContext(ctx)
		n, err := ps.PruneExpired(sctx, now, PruneBatch)
		cancel()
		total += n
		if err != nil {
			return total, fmt.Errorf("factor: prune: %w", err)
		}
		if n < PruneBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("factor: prune: %w", err)
		}
	}
}
