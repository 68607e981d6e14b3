package sqlstore_test

import (
	"database/sql"
	"io/fs"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

func schemaVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM twostep_schema_version ORDER BY version`)
	require.NoError(t, err)
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		vs = append(vs, v)
	}
	require.NoError(t, rows.Err())
	return vs
}

// latestVersions are the versions Migrate records on a database of each
// dialect. SQLite has a version 3, which drops the trigger and column that
// its version 2 added; PostgreSQL has nothing to change there, and the
// runner needs no version to be present in both dialects.
var latestVersions = map[sqlstore.Dialect][]int{
	sqlstore.SQLite:   {1, 2, 3, 4, 5, 6},
	sqlstore.Postgres: {1, 2, 3, 4, 5},
}

func TestMigrationsFiles(t *testing.T) {
	tests := []struct {
		d    sqlstore.Dialect
		want []string
	}{
		{sqlstore.SQLite, []string{"0001_init.sql", "0002_verified_reset.sql", "0003_drop_verified_reset.sql", "0004_prune.sql", "0005_user_handles.sql", "0006_delivery.sql"}},
		{sqlstore.Postgres, []string{"0001_init.sql", "0002_verified_reset.sql", "0003_prune.sql", "0004_user_handles.sql", "0005_delivery.sql"}},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			names, err := fs.Glob(sqlstore.Migrations(tt.d), "*.sql")
			require.NoError(t, err)
			assert.Equal(t, tt.want, names)
		})
	}
}

// sqliteSchema returns the names of the triggers in the SQLite database
// db and the columns of its enrollments table.
func sqliteSchema(t *testing.T, db *sql.DB) (triggers, enrollmentColumns []string) {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)
	require.NoError(t, err)
	triggers = scanNames(t, rows)
	rows, err = db.Query(`SELECT name FROM pragma_table_info('twostep_enrollments') ORDER BY cid`)
	require.NoError(t, err)
	return triggers, scanNames(t, rows)
}

func scanNames(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, rows.Err())
	return names
}

// enrollmentColumns are the columns of twostep_enrollments after Migrate,
// in the order of the table.
var enrollmentColumns = []string{"id", "user_id", "kind", "label", "address",
	"is_primary", "confirmed", "replaces", "secret", "counter", "state",
	"created_at", "expires_at", "confirmed_at", "last_used_at", "version"}

// TestSQLiteSchemaHasNoTrigger checks that a new SQLite database ends with
// no trigger and no column beyond those the Store reads and writes.
func TestSQLiteSchemaHasNoTrigger(t *testing.T) {
	db := openSQLiteFile(t)
	s, err := sqlstore.New(db, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	triggers, cols := sqliteSchema(t, db)
	assert.Empty(t, triggers)
	assert.Equal(t, enrollmentColumns, cols)
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			s, err := sqlstore.New(db, b.dialect)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx))
			e := &factor.Enrollment{ID: "e", UserID: "u", Kind: factor.KindTOTP}
			require.NoError(t, s.CreateEnrollment(ctx, e))

			require.NoError(t, s.Migrate(ctx))
			assert.Equal(t, latestVersions[b.dialect], schemaVersions(t, db))
			_, err = s.GetEnrollment(ctx, "u", "e")
			assert.NoError(t, err, "data survives")
		})
	}
}

// migrateConcurrently runs Migrate on several handles of one empty
// database at once and checks that all succeed and leave one schema.
func migrateConcurrently(t *testing.T, d sqlstore.Dialect, open func() *sql.DB) {
	const n = 4
	stores := make([]*sqlstore.Store, n)
	for i := range stores {
		s, err := sqlstore.New(open(), d)
		require.NoError(t, err)
		stores[i] = s
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, s := range stores {
		wg.Go(func() {
			<-start
			errs[i] = s.Migrate(ctx)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	db := open()
	assert.Equal(t, latestVersions[d], schemaVersions(t, db))
	e := &factor.Enrollment{ID: "e", UserID: "u", Kind: factor.KindTOTP}
	assert.NoError(t, stores[n-1].CreateEnrollment(ctx, e))
}

func TestConcurrentMigrateSQLite(t *testing.T) {
	dsn := sqliteFileDSN(t)
	migrateConcurrently(t, sqlstore.SQLite, func() *sql.DB { return openDB(t, "sqlite", dsn) })
}

func TestConcurrentMigratePostgres(t *testing.T) {
	dsn := newPostgresDatabase(t)
	migrateConcurrently(t, sqlstore.Postgres, func() *sql.DB { return openDB(t, "pgx", dsn) })
}
