package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
)

// incrementCounter restarts a counter whose window ended (its expiry is not
// after now, or it has none) at one with the new expiry, and otherwise adds
// one, in a single upsert.
const incrementCounter = `INSERT INTO twostep_counters (key, count, expires_at)
VALUES ($1, 1, $3)
ON CONFLICT (key) DO UPDATE SET
	count = CASE WHEN twostep_counters.expires_at > $2
		THEN twostep_counters.count + 1 ELSE 1 END,
	expires_at = CASE WHEN twostep_counters.expires_at > $2
		THEN twostep_counters.expires_at ELSE $3 END
RETURNING count`

// IncrementCounter atomically adds one to the counter named key and returns
// the new count. A counter whose window ended (its expiry is not after now)
// starts again at one with the given expiry.
func (s *Store) IncrementCounter(ctx context.Context, key string, now, expires time.Time) (int64, error) {
	var n int64
	err := s.row(ctx, incrementCounter, key, s.t(now), s.t(expires)).Scan(&n)
	return n, wrap("increment counter", err)
}

// readCounter makes sure the counter named key exists, restarting it at
// zero with the new expiry if its window ended, and returns its count. On
// PostgreSQL the upsert also locks the row until the transaction ends.
const readCounter = `INSERT INTO twostep_counters (key, count, expires_at)
VALUES ($1, 0, $3)
ON CONFLICT (key) DO UPDATE SET
	count = CASE WHEN twostep_counters.expires_at > $2
		THEN twostep_counters.count ELSE 0 END,
	expires_at = CASE WHEN twostep_counters.expires_at > $2
		THEN twostep_counters.expires_at ELSE $3 END
RETURNING count`

// ChargeCounters reads every window's counter in one transaction, in key
// order so that concurrent charges lock rows in the same order, and adds
// one to each only if none is full.
func (s *Store) ChargeCounters(ctx context.Context, windows []factor.CounterWindow, now time.Time) ([]int, error) {
	order := make([]int, len(windows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(windows[a].Key, windows[b].Key) })
	var full []int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		full = nil
		for _, i := range order {
			var n int64
			w := windows[i]
			if err := tx.QueryRowContext(ctx, readCounter, w.Key, s.t(now), s.t(w.Expires)).Scan(&n); err != nil {
				return err
			}
			if n >= w.Limit {
				full = append(full, i)
			}
		}
		if len(full) > 0 {
			return errFull
		}
		for _, i := range order {
			if _, err := execOn(ctx, tx, `UPDATE twostep_counters SET count = count + 1 WHERE key = $1`, windows[i].Key); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errFull) {
		slices.Sort(full)
		return full, nil
	}
	return nil, wrap("charge counters", err)
}

// errFull rolls back a charge that found a full window.
var errFull = errors.New("a window is full")

// RefundCounters takes one back from every window that has not expired.
func (s *Store) RefundCounters(ctx context.Context, windows []factor.CounterWindow, now time.Time) error {
	for _, w := range windows {
		_, err := s.exec(ctx, `UPDATE twostep_counters SET count = count - 1 WHERE key = $1 AND expires_at > $2 AND count > 0`, w.Key, s.t(now))
		if err != nil {
			return wrap("refund counters", err)
		}
	}
	return nil
}
