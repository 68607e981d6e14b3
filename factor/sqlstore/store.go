package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

// Dialect names the SQL dialect of the database behind a Store.
type Dialect int

// The dialects a Store speaks.
const (
	// SQLite is SQLite 3.35 or later, such as modernc.org/sqlite.
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL 12 or later, such as through pgx's stdlib
	// adapter.
	Postgres
)

// String returns the dialect's name: "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

func (d Dialect) valid() bool { return d == SQLite || d == Postgres }

// Store is a factor.Store kept in a SQL database. It is safe for concurrent
// use, also by several processes sharing one database. The zero Store is not
// usable; call New.
type Store struct {
	db *sql.DB
	d  Dialect
}

var _ factor.Store = (*Store)(nil)

// New returns a Store that keeps its records in db, which speaks dialect d.
// The host opens and closes db; New does not touch the database, so call
// Migrate, or apply the files of Migrations, before the first use.
func New(db *sql.DB, d Dialect) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	if !d.valid() {
		return nil, fmt.Errorf("sqlstore: unknown dialect %v", d)
	}
	return &Store{db: db, d: d}, nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// execer is a *sql.DB, *sql.Tx or *sql.Conn.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// exec runs a statement on s.db and returns how many rows it affected,
// retrying while SQLite is busy.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.retry(ctx, func() error {
		var err error
		n, err = execOn(ctx, s.db, query, args...)
		return err
	})
	return n, err
}

// execOn runs a statement on x and returns how many rows it affected.
func execOn(ctx context.Context, x execer, query string, args ...any) (int64, error) {
	res, err := x.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// inTx runs fn in a transaction, which it commits if fn returns nil and
// rolls back otherwise. While SQLite is busy, at the start or within fn,
// it rolls back and runs the transaction again, so fn must set what it
// returns afresh on each run.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.retry(ctx, func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
}

// exists reports whether query, which selects at most one row, finds one.
func (s *Store) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := s.row(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// missed tells why a statement meant to change one row changed none: the
// row exists (ErrConflict) or it does not (ErrNotFound). query selects 1
// from the row.
func (s *Store) missed(ctx context.Context, query string, args ...any) error {
	ok, err := s.exists(ctx, query, args...)
	switch {
	case err != nil:
		return err
	case ok:
		return factor.ErrConflict
	}
	return factor.ErrNotFound
}

// one turns the affected-row count of a statement meant to change exactly
// one row into ErrNotFound when it changed none.
func one(n int64, err error) error {
	if err == nil && n == 0 {
		return factor.ErrNotFound
	}
	return err
}

// created turns the affected-row count of an INSERT ... ON CONFLICT DO
// NOTHING into ErrConflict when it inserted nothing.
func created(n int64, err error) error {
	if err == nil && n == 0 {
		return factor.ErrConflict
	}
	return conflict(err)
}

// conflict maps a unique-constraint violation to factor.ErrConflict. It
// recognises pgx (SQLSTATE 23505) and modernc.org/sqlite (extended codes
// SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE) without
// importing either. The driver's error is dropped, because its details may
// quote the conflicting key, such as a hash.
func conflict(err error) error {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) && pg.SQLState() == "23505" {
		return factor.ErrConflict
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) && (lite.Code() == 1555 || lite.Code() == 2067) {
		return factor.ErrConflict
	}
	return err
}

// wrap adds the operation's name to err.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// t encodes a time as a query argument: NULL for the zero time, otherwise
// UTC with microsecond precision, as INTEGER microseconds on SQLite.
func (s *Store) t(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	if s.d == SQLite {
		return v.UnixMicro()
	}
	return v.UTC().Truncate(time.Microsecond)
}

// timeCol scans a time column written by Store.t.
type timeCol struct{ p *time.Time }

// tc returns a scan destination for a time column.
func tc(p *time.Time) timeCol { return timeCol{p} }

// Scan implements sql.Scanner.
func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = time.Time{}
	case int64:
		*c.p = time.UnixMicro(v).UTC()
	case time.Time:
		*c.p = v.UTC()
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}
