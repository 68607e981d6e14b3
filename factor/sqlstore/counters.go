package sqlstore

import (
	"context"
	"time"
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
	err := s.db.QueryRowContext(ctx, incrementCounter, key, s.t(now), s.t(expires)).Scan(&n)
	return n, wrap("increment counter", err)
}
