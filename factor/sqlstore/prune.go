package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

var _ factor.PruningStore = (*Store)(nil)

// pruned names a table Prune removes expired rows from, and the column
// that identifies a row.
type pruned struct {
	table, key string
}

// prunedTables are the tables with an expires_at column, in the order
// PruneExpired empties them.
var prunedTables = []pruned{
	{"twostep_challenges", "id"},
	{"twostep_counters", "key"},
	{"twostep_devices", "id"},
	{"twostep_enrollments", "id"},
	{"twostep_activation_codes", "user_id"},
}

// pruneQuery returns the statement that deletes at most $2 rows of t whose
// expiry is not after $1. Enrollments are pruned only while pending. On
// PostgreSQL the rows are locked with SKIP LOCKED, so that processes
// pruning at once take different rows instead of waiting for each other.
func (s *Store) pruneQuery(t pruned) string {
	where := "expires_at <= $1"
	if t.table == "twostep_enrollments" {
		where += " AND confirmed = " + map[Dialect]string{SQLite: "0", Postgres: "false"}[s.d]
	}
	lock := ""
	if s.d == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	return fmt.Sprintf(`DELETE FROM %[1]s WHERE %[2]s IN (SELECT %[2]s FROM %[1]s WHERE %[3]s LIMIT $2%[4]s)`,
		t.table, t.key, where, lock)
}

// PruneExpired removes at most limit records whose expiry is not after
// now, as factor.PruningStore documents: one DELETE per table, each of at
// most the rows still allowed, found through the expires_at indexes of
// migration 0004 (SQLite) or 0003 (PostgreSQL). It returns how many rows
// it removed.
func (s *Store) PruneExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	removed := 0
	for _, t := range prunedTables {
		if removed >= limit {
			break
		}
		n, err := s.exec(ctx, s.pruneQuery(t), s.t(now), limit-removed)
		if err != nil {
			return removed, wrap("prune "+t.table, err)
		}
		removed += int(n)
	}
	return removed, nil
}
