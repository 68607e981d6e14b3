package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

func TestLoadMigrationsOrdersByVersion(t *testing.T) {
	ms, err := loadMigrations(fstest.MapFS{
		"0010_later.sql": {Data: []byte("B")},
		"0002_next.sql":  {Data: []byte("A")},
		"README.md":      {Data: []byte("not a migration")},
	})
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, migration{version: 2, name: "0002_next.sql", sql: "A"}, ms[0])
	assert.Equal(t, 10, ms[1].version)

	_, err = loadMigrations(fstest.MapFS{"init.sql": {}})
	assert.Error(t, err, "a name without a version")
}

func TestFailedMigrationLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dsn := "file:" + filepath.Join(t.TempDir(), "m.db") + "?_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	require.NoError(t, err)
	defer db.Close()
	s, err := New(db, SQLite)
	require.NoError(t, err)

	bad := migration{version: 1, name: "0001_bad.sql", sql: "CREATE TABLE a (x INTEGER); CREATE TABLE b (oops"}
	assert.Error(t, s.apply(ctx, bad))
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'a'`).Scan(&n))
	assert.Zero(t, n, "the file's transaction was rolled back")

	good := migration{version: 1, name: "0001_good.sql", sql: "CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER)"}
	require.NoError(t, s.apply(ctx, good))
	require.NoError(t, s.apply(ctx, good), "applying twice is a no-op")
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM twostep_schema_version`).Scan(&n))
	assert.Equal(t, 1, n)
}
