package sqlstore_test

import (
	"database/sql"
	"io/fs"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
)

// An earlier release's database: the SQL of its schema and the versions
// its Migrate recorded.
type oldDatabase struct {
	schema   []string
	versions []int
}

// shippedUpTo returns the database that the shipped migrations up to
// version n leave, read from the embedded files, which are never edited
// once shipped.
func shippedUpTo(n int) func(*testing.T, sqlstore.Dialect) oldDatabase {
	return func(t *testing.T, d sqlstore.Dialect) oldDatabase {
		names, err := fs.Glob(sqlstore.Migrations(d), "*.sql")
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(names), n)
		var old oldDatabase
		for i, name := range names[:n] {
			b, err := fs.ReadFile(sqlstore.Migrations(d), name)
			require.NoError(t, err)
			old.schema = append(old.schema, string(b))
			old.versions = append(old.versions, i+1)
		}
		return old
	}
}

// TestMigrateFromVersion1 upgrades a database that an earlier release
// migrated, which recorded version 1 only: the schema is the shipped 0001
// applied by hand, with an enrolled user who has failures counted. Migrate
// applies the later files, and a login with an authenticator app then
// works end to end: the pending enrollment confirms, a wrong code is
// counted, and a right code is accepted and forgets the user's failures.
func TestMigrateFromVersion1(t *testing.T) {
	testMigrateFrom(t, shippedUpTo(1), nil, assertWithoutVerifiedReset)
}

// TestMigrateFromVersion2 upgrades a database that the previous release
// migrated, which recorded versions 1 and 2. On SQLite that schema has a
// trigger and a flag column that resets a user's failures when an
// enrollment is saved after a successful code; migration 0003 drops both,
// and the Store resets the failures in a transaction instead. PostgreSQL
// has nothing to apply.
func TestMigrateFromVersion2(t *testing.T) {
	before := func(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
		if d != sqlstore.SQLite {
			return
		}
		triggers, cols := sqliteSchema(t, db)
		require.Equal(t, []string{"twostep_enrollments_verified_reset"}, triggers, "the version 2 schema")
		require.Contains(t, cols, "verified_reset", "the version 2 schema")
	}
	testMigrateFrom(t, shippedUpTo(2), before, assertWithoutVerifiedReset)
}

// TestMigrateFromPrereleaseVersion1 upgrades a SQLite database made by a
// pre-release 0001, which already had a column and a trigger for the
// verified reset under other names (testdata/sqlite_0001_prerelease.sql).
// The trigger goes; its column, reset_attempts, stays, no longer written:
// SQLite cannot drop a column only if it exists.
func TestMigrateFromPrereleaseVersion1(t *testing.T) {
	pre, err := os.ReadFile("testdata/sqlite_0001_prerelease.sql")
	require.NoError(t, err)
	old := func(t *testing.T, d sqlstore.Dialect) oldDatabase {
		if d != sqlstore.SQLite {
			t.Skip("the pre-release schema is SQLite's")
		}
		return oldDatabase{schema: []string{string(pre)}, versions: []int{1}}
	}
	testMigrateFrom(t, old, nil, func(t *testing.T, db *sql.DB, _ sqlstore.Dialect) {
		triggers, cols := sqliteSchema(t, db)
		assert.Empty(t, triggers)
		assert.Equal(t, append(slices.Clone(enrollmentColumns), "reset_attempts"), cols)
	})
}

// assertWithoutVerifiedReset checks that a SQLite database has no trigger
// and exactly the enrollment columns the Store uses. PostgreSQL never had
// either.
func assertWithoutVerifiedReset(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
	t.Helper()
	if d != sqlstore.SQLite {
		return
	}
	triggers, cols := sqliteSchema(t, db)
	assert.Empty(t, triggers, "the verified-reset trigger is gone")
	assert.Equal(t, enrollmentColumns, cols, "the verified_reset column is gone")
}

// schemaCheck checks the schema of db, of dialect d.
type schemaCheck func(t *testing.T, db *sql.DB, d sqlstore.Dialect)

// testMigrateFrom makes the database old returns on every backend, with an
// enrolled user who has a failure counted, checks it with before, migrates
// it, checks it with after, and then logs the user in. A nil check is
// skipped.
func testMigrateFrom(t *testing.T, old func(*testing.T, sqlstore.Dialect) oldDatabase, before, after schemaCheck) {
	versionTable := map[sqlstore.Dialect]string{
		sqlstore.SQLite: `CREATE TABLE twostep_schema_version (
	version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		sqlstore.Postgres: `CREATE TABLE twostep_schema_version (
	version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL)`,
	}
	appliedAt := map[sqlstore.Dialect]any{
		sqlstore.SQLite:   time.Now().UnixMicro(),
		sqlstore.Postgres: time.Now(),
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			o := old(t, b.dialect)
			db := b.open(t)
			for _, schema := range o.schema {
				_, err := db.Exec(schema)
				require.NoError(t, err)
			}
			_, err := db.Exec(versionTable[b.dialect])
			require.NoError(t, err)
			for _, v := range o.versions {
				_, err = db.Exec(`INSERT INTO twostep_schema_version (version, applied_at) VALUES ($1, $2)`, v, appliedAt[b.dialect])
				require.NoError(t, err)
			}

			s, err := sqlstore.New(db, b.dialect)
			require.NoError(t, err)
			m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k")})
			e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP}, at(0))
			require.NoError(t, err, "enrolling on the old schema")
			_, err = s.ReserveAttempt(ctx, "alice", at(0))
			require.NoError(t, err)
			if before != nil {
				before(t, db, b.dialect)
			}

			require.NoError(t, s.Migrate(ctx))
			assert.Equal(t, latestVersions[b.dialect], schemaVersions(t, db))
			if after != nil {
				after(t, db, b.dialect)
			}

			require.NoError(t, factortest.Err(m.Confirm(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: totpCode(e.Secret, at(0))}, at(0))))
			err = verifyTOTP(m, &e.Enrollment, wrongCode(e.Secret, at(1), 1), at(1))
			require.ErrorIs(t, err, factor.ErrInvalidCode)
			a, err := s.ReserveAttempt(ctx, "alice", at(1))
			require.NoError(t, err)
			assert.Equal(t, 2, a.Failures, "the wrong code and this reservation since the confirmation")

			require.NoError(t, verifyTOTP(m, &e.Enrollment, totpCode(e.Secret, at(1)), at(1)))
			a, err = s.ReserveAttempt(ctx, "alice", at(1))
			require.NoError(t, err)
			assert.Equal(t, factor.LockState{Failures: 1}, a, "the right code forgot the failures")
			err = verifyTOTP(m, &e.Enrollment, totpCode(e.Secret, at(1)), at(1))
			assert.ErrorIs(t, err, factor.ErrInvalidCode, "the step is used")
		})
	}
}

// TestMigrateFromBeforePrune upgrades a database that the release before
// Prune migrated (SQLite versions 1 to 3, PostgreSQL 1 and 2): Migrate
// adds the expires_at indexes Prune uses, and a login then works.
func TestMigrateFromBeforePrune(t *testing.T) {
	previous := map[sqlstore.Dialect]int{sqlstore.SQLite: 3, sqlstore.Postgres: 2}
	old := func(t *testing.T, d sqlstore.Dialect) oldDatabase { return shippedUpTo(previous[d])(t, d) }
	testMigrateFrom(t, old, nil, func(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
		q := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%\_expires' ESCAPE '\'`
		if d == sqlstore.Postgres {
			q = `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE '%\_expires'`
		}
		var n int
		require.NoError(t, db.QueryRow(q).Scan(&n))
		assert.Equal(t, 5, n, "an expires_at index on each table Prune empties")
	})
}

// TestMigrateFromPreviousRelease upgrades a database that the previous
// release migrated (SQLite versions 1 to 4, PostgreSQL 1 to 3): Migrate
// adds the table of user handles, which then records and finds a handle
// and refuses to give it to a second user, and a login works.
func TestMigrateFromPreviousRelease(t *testing.T) {
	previous := map[sqlstore.Dialect]int{sqlstore.SQLite: 4, sqlstore.Postgres: 3}
	old := func(t *testing.T, d sqlstore.Dialect) oldDatabase { return shippedUpTo(previous[d])(t, d) }
	before := func(t *testing.T, db *sql.DB, _ sqlstore.Dialect) {
		assert.NotContains(t, tableNames(t, db), "twostep_user_handles", "the previous schema")
	}
	testMigrateFrom(t, old, before, func(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
		assert.Contains(t, tableNames(t, db), "twostep_user_handles")
		s, err := sqlstore.New(db, d)
		require.NoError(t, err)
		handle := []byte("a handle of alice")
		require.NoError(t, s.PutHandle(ctx, "alice", handle))
		got, err := s.UserByHandle(ctx, handle)
		require.NoError(t, err)
		assert.Equal(t, "alice", got)
		assert.ErrorIs(t, s.PutHandle(ctx, "bob", handle), factor.ErrConflict)
	})
}

// TestMigrateFromBeforeReceipts upgrades a database that the release
// before delivery receipts migrated (SQLite versions 1 to 5, PostgreSQL 1
// to 4), holding a challenge: Migrate adds the delivery column, the old
// challenge reads back without a receipt, and a receipt recorded on it
// is kept.
func TestMigrateFromBeforeReceipts(t *testing.T) {
	previous := map[sqlstore.Dialect]int{sqlstore.SQLite: 5, sqlstore.Postgres: 4}
	old := func(t *testing.T, d sqlstore.Dialect) oldDatabase { return shippedUpTo(previous[d])(t, d) }
	insert := `INSERT INTO twostep_challenges (id, user_id, enrollment_id, kind, sends, version) VALUES ('old-challenge', 'bob', 'e1', 'sms', 1, 1)`
	before := func(t *testing.T, db *sql.DB, _ sqlstore.Dialect) {
		_, err := db.Exec(insert)
		require.NoError(t, err, "a challenge on the previous schema")
	}
	testMigrateFrom(t, old, before, func(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
		s, err := sqlstore.New(db, d)
		require.NoError(t, err)
		c, err := s.GetChallenge(ctx, "old-challenge")
		require.NoError(t, err)
		assert.Equal(t, factor.DeliveryUnknown, c.Delivery)
		c.Delivery = factor.DeliveryUndelivered
		require.NoError(t, s.UpdateChallenge(ctx, c))
		c, err = s.GetChallenge(ctx, "old-challenge")
		require.NoError(t, err)
		assert.Equal(t, factor.DeliveryUndelivered, c.Delivery)
	})
}
