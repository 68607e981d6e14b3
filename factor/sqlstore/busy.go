package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SQLite's busy handler sleeps without looking at the caller's context, so
// a connection that waits for the write lock with a long busy timeout
// overruns any deadline by up to that timeout. The recommended DSN
// therefore sets a short busy timeout, and this file retries a statement
// or transaction that failed with SQLITE_BUSY for as long as the context
// allows. A statement that fails with SQLITE_BUSY changed nothing, and a
// transaction that fails with it is rolled back, so running it again is
// safe.

// busyPatience is how long a call whose context has no deadline keeps
// retrying while SQLite is busy: as long as the busy timeout the package
// documentation recommended before the retries, so that a forgotten
// deadline cannot hang a caller forever.
const busyPatience = 5 * time.Second

// busyPause is the longest pause between two tries; the busy timeout
// itself waits in between as well.
const busyPause = 20 * time.Millisecond

// isBusy reports whether err is SQLite's SQLITE_BUSY, primary or
// extended, from a driver with a Code method such as modernc.org/sqlite.
func isBusy(err error) bool {
	var lite interface{ Code() int }
	return errors.As(err, &lite) && lite.Code()&0xff == 5
}

// retry runs op, and again while it fails because SQLite is busy, until
// ctx is done; then it returns an error wrapping both ctx.Err() (such as
// context.DeadlineExceeded) and the last busy error. On PostgreSQL it runs
// op once.
func (s *Store) retry(ctx context.Context, op func() error) error {
	err := op()
	if s.d != SQLite || !isBusy(err) {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, busyPatience)
		defer cancel()
	}
	pause := time.Millisecond
	for {
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w while the database was locked (%w)", ctx.Err(), err)
		case <-t.C:
		}
		pause = min(2*pause, busyPause)
		if err = op(); !isBusy(err) {
			return err
		}
	}
}

// row runs a query that returns at most one row when it is scanned,
// retrying while SQLite is busy. It stands in for s.db.QueryRowContext.
func (s *Store) row(ctx context.Context, query string, args ...any) rowScanner {
	return retriedRow{s: s, ctx: ctx, query: query, args: args}
}

// retriedRow is a row whose Scan runs the query, with retries.
type retriedRow struct {
	s     *Store
	ctx   context.Context
	query string
	args  []any
}

// Scan runs the query and copies the columns of its row into dest; no row
// is sql.ErrNoRows.
func (r retriedRow) Scan(dest ...any) error {
	return r.s.retry(r.ctx, func() error {
		return r.s.db.QueryRowContext(r.ctx, r.query, r.args...).Scan(dest...)
	})
}

// query runs a query that returns rows, retrying while SQLite is busy
// before the first row. It stands in for s.db.QueryContext.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	var rows *sql.Rows
	err := s.retry(ctx, func() error {
		var err error
		rows, err = s.db.QueryContext(ctx, query, args...)
		return err
	})
	return rows, err
}
