package sqlstore_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

// seedUsers is the SQL that fills a database with $1 users in bulk, one
// statement per table: user-000000 and on each have a confirmed
// authenticator app, every tenth also a phone number; every seventh user
// is locked. $2 is t0 in the enrollments' statements and seedLockedUntil
// in the attempts', in the dialect's encoding of times.
var seedUsers = map[sqlstore.Dialect][]string{
	sqlstore.SQLite: {
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
INSERT INTO twostep_enrollments (id, user_id, kind, label, confirmed, secret, created_at, confirmed_at, last_used_at, version)
SELECT printf('app-%06d', i), printf('user-%06d', i), 'totp', 'Phone', 1, x'00', $2, $2, $2 + i, 1 FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 10 FROM n WHERE i + 10 < $1)
INSERT INTO twostep_enrollments (id, user_id, kind, address, confirmed, created_at, confirmed_at, version)
SELECT printf('sms-%06d', i), printf('user-%06d', i), 'sms', printf('+3161%07d', i), 1, $2, $2, 1 FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 7 FROM n WHERE i + 7 < $1)
INSERT INTO twostep_attempts (user_id, failures, locks, locked_until)
SELECT printf('user-%06d', i), 0, 1, $2 FROM n`,
	},
	sqlstore.Postgres: {
		`INSERT INTO twostep_enrollments (id, user_id, kind, label, confirmed, secret, created_at, confirmed_at, last_used_at, version)
SELECT 'app-' || lpad(i::text, 6, '0'), 'user-' || lpad(i::text, 6, '0'), 'totp', 'Phone', true, '\x00'::bytea,
	$2::timestamptz, $2::timestamptz, $2::timestamptz + i * interval '1 microsecond', 1
FROM generate_series(0, $1::int - 1) AS i`,
		`INSERT INTO twostep_enrollments (id, user_id, kind, address, confirmed, created_at, confirmed_at, version)
SELECT 'sms-' || lpad(i::text, 6, '0'), 'user-' || lpad(i::text, 6, '0'), 'sms', '+3161' || lpad(i::text, 7, '0'), true,
	$2::timestamptz, $2::timestamptz, 1
FROM generate_series(0, $1::int - 1, 10) AS i`,
		`INSERT INTO twostep_attempts (user_id, failures, locks, locked_until)
SELECT 'user-' || lpad(i::text, 6, '0'), 0, 1, $2::timestamptz FROM generate_series(0, $1::int - 1, 7) AS i`,
	},
}

// seedLockedUntil is when the locks seedUsers records end: users enrol and
// fail at t0 and are locked for an hour.
var seedLockedUntil = t0.Add(time.Hour)

// seed fills db with n users through seedUsers and refreshes the planner's
// statistics.
func seed(tb testing.TB, db *sql.DB, d sqlstore.Dialect, n int) {
	tb.Helper()
	enc := func(v time.Time) any {
		if d == sqlstore.SQLite {
			return v.UnixMicro()
		}
		return v.UTC()
	}
	for _, q := range seedUsers[d] {
		at := t0
		if strings.Contains(q, "twostep_attempts") {
			at = seedLockedUntil
		}
		_, err := db.ExecContext(ctx, q, n, enc(at))
		require.NoError(tb, err, q)
	}
	_, err := db.ExecContext(ctx, "ANALYZE")
	require.NoError(tb, err)
}

// seededUsers is the number of users TestOverviewStatements and
// BenchmarkOverview seed: 100,000, or 2,000 with -short.
func seededUsers() int {
	if testing.Short() {
		return 2000
	}
	return 100000
}

// page returns the IDs of n users from the middle of the seeded ones.
func page(users, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("user-%06d", users/2+i)
	}
	return ids
}

// TestOverviewStatements seeds 100,000 users in bulk (2,000 with -short)
// and asks for an admin page of 100 of them: it costs two statements, one
// for the enrollments and one for the locks, on SQLite and PostgreSQL,
// and reports each user's methods and lock as seeded.
func TestOverviewStatements(t *testing.T) {
	users := seededUsers()
	for _, ct := range countedTargets() {
		t.Run(ct.name, func(t *testing.T) {
			db, c := ct.open(t)
			s, err := sqlstore.New(db, ct.dialect)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx))
			start := time.Now()
			seed(t, db, ct.dialect, users)
			t.Logf("seeded %d users in %v", users, time.Since(start).Round(time.Millisecond))
			m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k")})
			ids := page(users, 100)
			ids = append(ids, "nobody")

			stmts0, txs0 := c.snapshot()
			start = time.Now()
			list, err := m.Overview(ctx, ids)
			took := time.Since(start)
			stmts, txs := c.snapshot()
			require.NoError(t, err)
			t.Logf("an overview of %d of %d users: %d statements, %v", len(ids), users, stmts-stmts0, took)
			assert.LessOrEqual(t, stmts-stmts0, int64(2), "statements for a page")
			assert.Zero(t, txs-txs0)

			require.Len(t, list, len(ids))
			for i, u := range list[:len(ids)-1] {
				n := users/2 + i
				require.Equal(t, ids[i], u.UserID)
				assert.True(t, u.Active, u.UserID)
				kinds := []factor.Kind{factor.KindTOTP}
				if n%10 == 0 {
					kinds = append(kinds, factor.KindSMS)
				}
				assert.ElementsMatch(t, kinds, u.Kinds, u.UserID)
				assert.True(t, u.LastUsedAt.Equal(t0.Add(time.Duration(n)*time.Microsecond)), "%s last used %v", u.UserID, u.LastUsedAt)
				if n%7 == 0 {
					assert.True(t, u.LockedUntil.Equal(seedLockedUntil), "%s is locked until %v", u.UserID, u.LockedUntil)
				} else {
					assert.True(t, u.LockedUntil.IsZero(), "%s is not locked", u.UserID)
				}
			}
			assert.Equal(t, factor.UserSummary{UserID: "nobody"}, list[len(ids)-1])
		})
	}
}

// BenchmarkOverview measures an admin page of 100 users from a database
// of 100,000 (2,000 with -short), seeded in bulk, through the Manager.
//
//	go test -run '^$' -bench Overview -benchtime 200x ./factor/sqlstore/
func BenchmarkOverview(b *testing.B) {
	users := seededUsers()
	for _, ct := range countedTargets() {
		b.Run(ct.name, func(b *testing.B) {
			db, c := ct.open(b)
			s, err := sqlstore.New(db, ct.dialect)
			require.NoError(b, err)
			require.NoError(b, s.Migrate(ctx))
			seed(b, db, ct.dialect, users)
			m := newTOTPManager(b, s, []factor.ServerKey{newKey(b, "k")})
			pages := make([][]string, 10)
			for i := range pages {
				pages[i] = make([]string, 100)
				for j := range pages[i] {
					pages[i][j] = fmt.Sprintf("user-%06d", (i*users/10+j)%users)
				}
			}
			stmts0, txs0 := c.snapshot()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := m.Overview(ctx, pages[i%len(pages)]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report(b, c, stmts0, txs0, 0, 0)
		})
	}
}
