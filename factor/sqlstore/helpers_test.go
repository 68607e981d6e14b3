package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

// sqliteOptions is the DSN query the package documentation recommends.
const sqliteOptions = "_pragma=busy_timeout(100)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"

// backend opens a fresh, empty database for one test.
type backend struct {
	name    string
	dialect sqlstore.Dialect
	open    func(t *testing.T) *sql.DB
}

func backends() []backend {
	return []backend{
		{"SQLiteFile", sqlstore.SQLite, openSQLiteFile},
		{"SQLiteMemory", sqlstore.SQLite, openSQLiteMemory},
		{"Postgres", sqlstore.Postgres, openPostgres},
	}
}

// newStore opens a fresh database of b and returns a migrated Store on it.
func (b backend) newStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(b.open(t), b.dialect)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// factorStore adapts newStore to the conformance suite's constructor.
func (b backend) factorStore(t *testing.T) factor.Store { return b.newStore(t) }

func openDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sqliteFileDSN returns the recommended DSN for a new file in a temporary
// directory.
func sqliteFileDSN(t *testing.T) string {
	return "file:" + filepath.Join(t.TempDir(), "twostep.db") + "?" + sqliteOptions
}

// openSQLiteFile opens a new SQLite file with the recommended DSN. Several
// connections write concurrently, queueing on the busy timeout.
func openSQLiteFile(t *testing.T) *sql.DB {
	db := openDB(t, "sqlite", sqliteFileDSN(t))
	db.SetMaxOpenConns(16)
	return db
}

var memoryDBs atomic.Int64

// openSQLiteMemory opens a new in-memory SQLite database under a unique
// shared-cache name. It keeps a single connection: shared-cache locks do not
// wait for the busy timeout, and the database vanishes with its last
// connection.
func openSQLiteMemory(t *testing.T) *sql.DB {
	name := fmt.Sprintf("twostep_mem_%d_%d", os.Getpid(), memoryDBs.Add(1))
	db := openDB(t, "sqlite", "file:"+name+"?mode=memory&cache=shared&_pragma=busy_timeout(5000)")
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db
}

// postgresDSN returns TWOSTEP_TEST_POSTGRES, skipping the test when it is
// empty, or failing it when TWOSTEP_REQUIRE_SERVICES=1.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("TWOSTEP_TEST_POSTGRES")
	if dsn == "" {
		const msg = "PostgreSQL not available: set TWOSTEP_TEST_POSTGRES to a DSN, " +
			"for example with `export TWOSTEP_TEST_POSTGRES=$(bash .ci/postgres.sh | tail -n1)`"
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dsn
}

func randomName(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// withParam returns dsn with the query parameter key set to value.
func withParam(t *testing.T, dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("TWOSTEP_TEST_POSTGRES is not a URL: %v", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// adminExec runs a statement on the database TWOSTEP_TEST_POSTGRES names.
func adminExec(t *testing.T, query string) {
	t.Helper()
	db, err := sql.Open("pgx", postgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// openPostgres opens the test database with search_path set to a new
// schema, which is dropped when the test ends.
func openPostgres(t *testing.T) *sql.DB {
	dsn := postgresDSN(t)
	schema := randomName("twostep_test_")
	adminExec(t, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { adminExec(t, "DROP SCHEMA "+schema+" CASCADE") })
	db := openDB(t, "pgx", withParam(t, dsn, "search_path", schema))
	db.SetMaxOpenConns(20)
	return db
}

// newPostgresDatabase creates an empty database, dropped when the test
// ends, and returns its DSN.
func newPostgresDatabase(t *testing.T) string {
	dsn := postgresDSN(t)
	name := randomName("twostep_test_")
	adminExec(t, "CREATE DATABASE "+name)
	t.Cleanup(func() { adminExec(t, "DROP DATABASE "+name+" WITH (FORCE)") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
