package sqlstore_test

import (
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
	racedetector "github.com/twostep/twostep/internal/race"
	"github.com/twostep/twostep/sms"
)

// liveRows counts, per table Prune empties, the rows that can still be
// used at now.
func liveRows(t *testing.T, db *sql.DB, d sqlstore.Dialect, now time.Time) map[string]int {
	at := any(now.UTC())
	if d == sqlstore.SQLite {
		at = now.UnixMicro()
	}
	out := map[string]int{}
	for _, table := range []string{"twostep_challenges", "twostep_counters", "twostep_devices", "twostep_enrollments", "twostep_activation_codes"} {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table+` WHERE expires_at IS NULL OR expires_at > $1`, at).Scan(&n))
		out[table] = n
	}
	return out
}

func allRows(t *testing.T, db *sql.DB) map[string]int {
	out := map[string]int{}
	for _, table := range []string{"twostep_challenges", "twostep_counters", "twostep_devices", "twostep_enrollments", "twostep_activation_codes"} {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table).Scan(&n))
		out[table] = n
	}
	return out
}

// TestPruneLeavesTheLiveRows runs SMS logins over 100 simulated days (10,000;
// 1,000 with -short or -race), seeds 10,000 expired trusted devices and 10,000
// abandoned pending enrollments through the Store, and prunes from two
// instances at once. Neither fails, together they remove every dead row,
// and what is left is exactly what was live, counted with SQL. Each DELETE
// removes at most factor.PruneBatch rows: the statement counter sees at
// least one statement per batch.
func TestPruneLeavesTheLiveRows(t *testing.T) {
	users, seeded := 100, 10000
	if testing.Short() || racedetector.Enabled {
		users, seeded = 10, 1000 // the full run is a step of its own in .ci/run
	}
	for _, b := range []struct {
		name, driver string
		d            sqlstore.Dialect
		dsn          func(t *testing.T) string
	}{
		{"SQLite", "sqlite", sqlstore.SQLite, sqliteFileDSN},
		{"Postgres", "pgx", sqlstore.Postgres, func(t *testing.T) string { return withParam(t, newPostgresDatabase(t), "search_path", "public") }},
	} {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			db1, counter := countingDB(t, b.driver, dsn)
			db2 := openDB(t, b.driver, dsn)
			s1, err := sqlstore.New(db1, b.d)
			require.NoError(t, err)
			require.NoError(t, s1.Migrate(ctx))
			s2, err := sqlstore.New(db2, b.d)
			require.NoError(t, err)
			text, err := sms.New(sms.Config{AppName: "Acme"})
			require.NoError(t, err)
			sender := &factortest.RecordingSender{}
			keys := []factor.ServerKey{newKey(t, "k")}
			newManager := func(s factor.Store) *factor.Manager {
				m, err := factor.NewManager(factor.Config{Store: s, Keys: keys, Factors: []factor.Factor{text}, Sender: sender})
				require.NoError(t, err)
				return m
			}
			m1, m2 := newManager(s1), newManager(s2)

			start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
			phones := make([]string, users)
			for u := range users {
				e, err := m1.Enroll(ctx, factor.EnrollRequest{UserID: fmt.Sprint("user-", u), Kind: factor.KindSMS, Address: fmt.Sprintf("+3161%07d", u)}, start)
				require.NoError(t, err)
				phones[u] = e.ID
				sent, err := m1.Challenge(ctx, factor.ChallengeRequest{UserID: fmt.Sprint("user-", u), EnrollmentID: e.ID}, start)
				require.NoError(t, err)
				msg, _ := sender.Last()
				require.NoError(t, factortest.Err(m1.Confirm(ctx, factor.Answer{UserID: fmt.Sprint("user-", u), ChallengeID: sent.ChallengeID, Code: msg.Code}, start)))
			}
			var now time.Time
			for day := range 100 {
				for u := range users {
					now = start.Add(time.Duration(day+1)*24*time.Hour + time.Duration(u)*time.Second)
					user := fmt.Sprint("user-", u)
					sent, err := m1.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: phones[u]}, now)
					require.NoError(t, err)
					msg, _ := sender.Last()
					require.NoError(t, factortest.Err(m1.Verify(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: msg.Code}, now)))
				}
			}
			for i := range seeded {
				at := start.Add(time.Duration(i) * time.Minute)
				require.NoError(t, s1.CreateDevice(ctx, &factor.TrustedDevice{ID: fmt.Sprint("device-", i), UserID: fmt.Sprint("user-", i%users), CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}))
				require.NoError(t, s1.CreateEnrollment(ctx, &factor.Enrollment{ID: fmt.Sprint("pending-", i), UserID: fmt.Sprint("user-", i%users), Kind: factor.KindSMS, CreatedAt: at, ExpiresAt: at.Add(15 * time.Minute)}))
			}
			now = now.Add(time.Minute) // the last login's challenge still lives
			live, before := liveRows(t, db1, b.d, now), allRows(t, db1)
			dead := 0
			for table, n := range before {
				dead += n - live[table]
			}
			require.Greater(t, dead, 2*seeded)

			stmts0, _ := counter.snapshot()
			var n1, n2 int
			var err1, err2 error
			var wg sync.WaitGroup
			wg.Go(func() { n1, err1 = m1.Prune(ctx, now) })
			wg.Go(func() { n2, err2 = m2.Prune(ctx, now) })
			wg.Wait()
			stmts, _ := counter.snapshot()
			require.NoError(t, err1)
			require.NoError(t, err2)
			assert.Equal(t, dead, n1+n2, "together the instances removed every dead row once")
			assert.Equal(t, live, allRows(t, db1), "exactly the live rows are left")
			assert.Equal(t, live, liveRows(t, db1, b.d, now))
			t.Logf("%d dead rows of %d; instance 1 removed %d in %d statements, instance 2 %d (at most %d rows per statement)",
				dead, dead+sum(live), n1, stmts-stmts0, n2, factor.PruneBatch)
			assert.GreaterOrEqual(t, int(stmts-stmts0), n1/factor.PruneBatch, "no statement removes more than a batch")

			stmts0, _ = counter.snapshot()
			n, err := m1.Prune(ctx, now)
			require.NoError(t, err)
			stmts, _ = counter.snapshot()
			assert.Zero(t, n)
			assert.Equal(t, int64(5), stmts-stmts0, "nothing to do costs one statement per table")
		})
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
