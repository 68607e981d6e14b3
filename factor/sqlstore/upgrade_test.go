package sqlstore_test

import (
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
)

// TestMigrateFromVersion1 upgrades a database that an earlier release
// migrated, which recorded version 1 only: the schema is the shipped 0001
// applied by hand, with an enrolled user who has failures counted. Migrate
// applies 0002 alone, and a login with an authenticator app then works end
// to end: the pending enrollment confirms, a wrong code is counted, and a
// right code is accepted and forgets the user's failures.
func TestMigrateFromVersion1(t *testing.T) {
	shipped := func(t *testing.T, d sqlstore.Dialect) string {
		v1, err := fs.ReadFile(sqlstore.Migrations(d), "0001_init.sql")
		require.NoError(t, err)
		return string(v1)
	}
	testMigrateFromVersion1(t, shipped)
}

// TestMigrateFromPrereleaseVersion1 upgrades a SQLite database made by a
// pre-release 0001, which already had a column and a trigger for the
// verified reset under other names (testdata/sqlite_0001_prerelease.sql).
func TestMigrateFromPrereleaseVersion1(t *testing.T) {
	pre, err := os.ReadFile("testdata/sqlite_0001_prerelease.sql")
	require.NoError(t, err)
	testMigrateFromVersion1(t, func(t *testing.T, d sqlstore.Dialect) string {
		if d != sqlstore.SQLite {
			t.Skip("the pre-release schema is SQLite's")
		}
		return string(pre)
	})
}

func testMigrateFromVersion1(t *testing.T, v1SQL func(*testing.T, sqlstore.Dialect) string) {
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
			v1 := v1SQL(t, b.dialect)
			db := b.open(t)
			_, err := db.Exec(v1)
			require.NoError(t, err)
			_, err = db.Exec(versionTable[b.dialect])
			require.NoError(t, err)
			_, err = db.Exec(`INSERT INTO twostep_schema_version (version, applied_at) VALUES (1, $1)`, appliedAt[b.dialect])
			require.NoError(t, err)

			s, err := sqlstore.New(db, b.dialect)
			require.NoError(t, err)
			m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k")})
			e, err := m.Enroll(ctx, factor.Enrollment{UserID: "alice", Kind: factor.KindTOTP}, at(0))
			require.NoError(t, err, "enrolling on the version 1 schema")
			_, err = s.ReserveAttempt(ctx, "alice", at(0))
			require.NoError(t, err)

			require.NoError(t, s.Migrate(ctx))
			assert.Equal(t, []int{1, 2}, schemaVersions(t, db))

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
