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

func TestMigrationsFiles(t *testing.T) {
	lite, err := fs.Glob(sqlstore.Migrations(sqlstore.SQLite), "*.sql")
	require.NoError(t, err)
	pg, err := fs.Glob(sqlstore.Migrations(sqlstore.Postgres), "*.sql")
	require.NoError(t, err)
	assert.Equal(t, []string{"0001_init.sql", "0002_verified_reset.sql"}, lite)
	assert.Equal(t, lite, pg, "both dialects have the same migrations")
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
			assert.Equal(t, []int{1, 2}, schemaVersions(t, db))
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
	assert.Equal(t, []int{1, 2}, schemaVersions(t, db))
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
