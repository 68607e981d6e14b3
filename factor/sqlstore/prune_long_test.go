package sqlstore_test

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

var long = flag.Bool("long", false, "run the long prune test: 1,000,000 expired challenges")

// seedChallenges inserts $1 challenges that expired at $2 in one statement.
var seedChallenges = map[sqlstore.Dialect]string{
	sqlstore.SQLite: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
INSERT INTO twostep_challenges (id, user_id, enrollment_id, kind, code_hash, sent_at, expires_at, version)
SELECT printf('ch-%07d', i), printf('user-%06d', i % 100000), 'e', 'sms', randomblob(32), $2 - 300000000, $2 - i, 1 FROM n`,
	sqlstore.Postgres: `INSERT INTO twostep_challenges (id, user_id, enrollment_id, kind, code_hash, sent_at, expires_at, version)
SELECT 'ch-' || lpad(i::text, 7, '0'), 'user-' || lpad((i % 100000)::text, 6, '0'), 'e', 'sms', sha256(i::text::bytea),
	$2::timestamptz - interval '5 minutes', $2::timestamptz - i * interval '1 microsecond', 1
FROM generate_series(0, $1::int - 1) AS i`,
}

// TestPruneMillionChallenges seeds 1,000,000 expired challenges in bulk
// and prunes them through the Manager, timing every statement: Prune
// removes them all in batches of factor.PruneBatch, and the test reports
// the longest statement. It runs with -long only, and never under -short
// or -race.
//
//	go test -run TestPruneMillionChallenges -long -v ./factor/sqlstore/
func TestPruneMillionChallenges(t *testing.T) {
	if !*long || testing.Short() || raceEnabled {
		t.Skip("prunes 1,000,000 challenges: run with -long, without -short and -race")
	}
	const rows = 1_000_000
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, ct := range countedTargets() {
		t.Run(ct.name, func(t *testing.T) {
			db, c := ct.open(t)
			s, err := sqlstore.New(db, ct.dialect)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx))
			at := any(now.UTC())
			if ct.dialect == sqlstore.SQLite {
				at = now.UnixMicro()
			}
			began := time.Now()
			_, err = db.ExecContext(ctx, seedChallenges[ct.dialect], rows, at)
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, "ANALYZE")
			require.NoError(t, err)
			t.Logf("seeded %d expired challenges in %v", rows, time.Since(began).Round(time.Millisecond))

			m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k")})
			c.longestExec.Store(0)
			stmts0, _ := c.snapshot()
			began = time.Now()
			n, err := m.Prune(ctx, now)
			took := time.Since(began)
			stmts, _ := c.snapshot()
			require.NoError(t, err)
			assert.Equal(t, rows, n)
			var left int
			require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM twostep_challenges`).Scan(&left))
			assert.Zero(t, left)
			t.Logf("pruned %d challenges in %v with %d statements (at most %d rows each); longest statement %v",
				n, took.Round(time.Millisecond), stmts-stmts0, factor.PruneBatch, c.longest().Round(time.Microsecond))
		})
	}
}
