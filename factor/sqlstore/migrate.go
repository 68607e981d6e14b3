package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrationLock is the PostgreSQL advisory lock key Migrate holds while it
// applies a file: the first eight bytes of "twostep\x00" as an int64.
const migrationLock = 0x74776f7374657000

// versionTable is the DDL of the table that records applied migrations.
var versionTable = map[Dialect]string{
	SQLite: `CREATE TABLE IF NOT EXISTS twostep_schema_version (
	version    INTEGER NOT NULL PRIMARY KEY,
	applied_at INTEGER NOT NULL
)`,
	Postgres: `CREATE TABLE IF NOT EXISTS twostep_schema_version (
	version    integer     NOT NULL PRIMARY KEY,
	applied_at timestamptz NOT NULL
)`,
}

const (
	migrationApplied = `SELECT 1 FROM twostep_schema_version WHERE version = $1`
	recordMigration  = `INSERT INTO twostep_schema_version (version, applied_at) VALUES ($1, $2)`
)

// Migrations returns the schema migrations for dialect d: files named
// NNNN_description.sql, to be applied in the order of their numbers, each
// in its own transaction. It is for hosts that run migrations with their own
// tool; Store.Migrate applies the same files. An unknown dialect has no
// migrations and yields nil.
func Migrations(d Dialect) fs.FS {
	if !d.valid() {
		return nil
	}
	sub, err := fs.Sub(migrationFiles, "migrations/"+d.String())
	if err != nil {
		return nil
	}
	return sub
}

// migration is one schema file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations of fsys ordered by version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		num, _, _ := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name does not start with a version number", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate brings the database's schema up to date. It applies each
// migration not yet recorded in twostep_schema_version, one transaction per
// file, so running it again is a no-op. Several processes may run it at
// once: on PostgreSQL each transaction first takes an advisory lock, on
// SQLite it begins with BEGIN IMMEDIATE (which waits for the DSN's busy
// timeout), so one applies a file while the others wait and then find it
// applied. It refuses, with a *SchemaError naming both versions, a
// database whose recorded version is newer than this release knows, and
// one with twostep_ tables but no recorded version.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := loadMigrations(Migrations(s.d))
	if err != nil {
		return wrap("migrate", err)
	}
	if err := s.guardSchema(ctx); err != nil {
		return wrap("migrate", err)
	}
	for _, m := range ms {
		if err := s.applyRetrying(ctx, m); err != nil {
			return fmt.Errorf("sqlstore: migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// applyRetrying applies m, retrying while SQLite reports the database busy
// beyond its busy timeout. That happens when processes open a new database
// file at once: switching it to WAL mode takes a lock no busy handler
// waits for. A migration is one transaction, so a retry is safe.
func (s *Store) applyRetrying(ctx context.Context, m migration) error {
	for attempt := 1; ; attempt++ {
		err := s.apply(ctx, m)
		if err == nil || s.d != SQLite || !sqliteBusy(err) || attempt == 20 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 10 * time.Millisecond):
		}
	}
}

// sqliteBusy recognises SQLITE_BUSY without importing a driver.
func sqliteBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// apply runs one migration in its own transaction on a dedicated
// connection, unless it was applied before.
func (s *Store) apply(ctx context.Context, m migration) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := s.begin(ctx, conn); err != nil {
		return err
	}
	err = s.applyLocked(ctx, conn, m)
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		rollback(ctx, conn)
	}
	return err
}

// begin opens a transaction that holds the migration lock.
func (s *Store) begin(ctx context.Context, conn *sql.Conn) error {
	if s.d == SQLite {
		_, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		return err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock))
	if err != nil {
		rollback(ctx, conn)
	}
	return err
}

// applyLocked applies m inside the open transaction unless it is recorded.
func (s *Store) applyLocked(ctx context.Context, conn *sql.Conn, m migration) error {
	if _, err := conn.ExecContext(ctx, versionTable[s.d]); err != nil {
		return err
	}
	var one int
	err := conn.QueryRowContext(ctx, migrationApplied, m.version).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := conn.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, recordMigration, m.version, s.t(time.Now()))
	return err
}

// rollback ends the open transaction on conn. If that fails the connection
// is discarded rather than returned to the pool inside a transaction.
func rollback(ctx context.Context, conn *sql.Conn) {
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}
