package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

// A counting driver: a driver.Connector that wraps the real driver's
// connections and counts the statements they execute, so that tests and
// benchmarks can tell how many SQL statements an operation costs. It is
// opened with sql.OpenDB and so registers nothing globally.

// stmtCounter counts what the connections of one *sql.DB did.
type stmtCounter struct {
	// stmts counts executed statements: Exec and Query on a connection or
	// a prepared statement. Preparing is not counted, executing is.
	stmts atomic.Int64
	// txs counts transactions begun.
	txs atomic.Int64
	// longestExec is the duration of the longest Exec on a connection so
	// far, in nanoseconds.
	longestExec atomic.Int64
}

// longest returns the duration of the longest Exec on a connection so far.
func (c *stmtCounter) longest() time.Duration { return time.Duration(c.longestExec.Load()) }

// timed records an Exec that began at start.
func (c *stmtCounter) timed(start time.Time) {
	d := int64(time.Since(start))
	for {
		cur := c.longestExec.Load()
		if d <= cur || c.longestExec.CompareAndSwap(cur, d) {
			return
		}
	}
}

// snapshot returns the counts so far.
func (c *stmtCounter) snapshot() (stmts, txs int64) { return c.stmts.Load(), c.txs.Load() }

// countingDB opens the database driverName and dsn name through the
// counting wrapper. The handle closes when the test ends.
func countingDB(tb testing.TB, driverName, dsn string) (*sql.DB, *stmtCounter) {
	tb.Helper()
	probe, err := sql.Open(driverName, dsn)
	require.NoError(tb, err)
	drv := probe.Driver()
	require.NoError(tb, probe.Close())
	var inner driver.Connector
	if dc, ok := drv.(driver.DriverContext); ok {
		inner, err = dc.OpenConnector(dsn)
		require.NoError(tb, err)
	} else {
		inner = dsnConnector{dsn: dsn, drv: drv}
	}
	c := &stmtCounter{}
	db := sql.OpenDB(countingConnector{inner: inner, c: c})
	tb.Cleanup(func() { db.Close() })
	return db, c
}

// dsnConnector is a driver.Connector for a driver without one.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// countingConnector hands out counting connections.
type countingConnector struct {
	inner driver.Connector
	c     *stmtCounter
}

func (cc countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := cc.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{inner: conn, c: cc.c}, nil
}

func (cc countingConnector) Driver() driver.Driver { return cc.inner.Driver() }

// countingConn forwards to the real connection and counts. It offers every
// optional interface database/sql looks for and falls back to what the
// real connection offers, or to driver.ErrSkip where database/sql allows
// it.
type countingConn struct {
	inner driver.Conn
	c     *stmtCounter
}

var (
	_ driver.ConnPrepareContext = (*countingConn)(nil)
	_ driver.ConnBeginTx        = (*countingConn)(nil)
	_ driver.ExecerContext      = (*countingConn)(nil)
	_ driver.QueryerContext     = (*countingConn)(nil)
	_ driver.Pinger             = (*countingConn)(nil)
	_ driver.SessionResetter    = (*countingConn)(nil)
	_ driver.Validator          = (*countingConn)(nil)
	_ driver.NamedValueChecker  = (*countingConn)(nil)
)

func (cn *countingConn) Prepare(query string) (driver.Stmt, error) {
	return cn.PrepareContext(context.Background(), query)
}

func (cn *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := cn.inner.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = cn.inner.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{inner: st, conn: cn}, nil
}

func (cn *countingConn) Close() error { return cn.inner.Close() }

func (cn *countingConn) Begin() (driver.Tx, error) {
	return cn.BeginTx(context.Background(), driver.TxOptions{})
}

func (cn *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	cn.c.txs.Add(1)
	if b, ok := cn.inner.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 a driver without BeginTx offers nothing else
	return cn.inner.Begin()
}

func (cn *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	start := time.Now()
	r, err := e.ExecContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		cn.c.stmts.Add(1)
		cn.c.timed(start)
	}
	return r, err
}

func (cn *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := cn.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		cn.c.stmts.Add(1)
	}
	return r, err
}

func (cn *countingConn) Ping(ctx context.Context) error {
	if p, ok := cn.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (cn *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := cn.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (cn *countingConn) IsValid() bool {
	if v, ok := cn.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (cn *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := cn.inner.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// countingStmt is a prepared statement that counts its executions.
type countingStmt struct {
	inner driver.Stmt
	conn  *countingConn
}

var (
	_ driver.StmtExecContext   = (*countingStmt)(nil)
	_ driver.StmtQueryContext  = (*countingStmt)(nil)
	_ driver.NamedValueChecker = (*countingStmt)(nil)
)

func (s *countingStmt) Close() error  { return s.inner.Close() }
func (s *countingStmt) NumInput() int { return s.inner.NumInput() }

func (s *countingStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.conn.c.stmts.Add(1)
	//lint:ignore SA1019 the wrapper must implement the driver.Stmt interface
	return s.inner.Exec(args)
}

func (s *countingStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.conn.c.stmts.Add(1)
	//lint:ignore SA1019 the wrapper must implement the driver.Stmt interface
	return s.inner.Query(args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := s.inner.(driver.StmtExecContext); ok {
		s.conn.c.stmts.Add(1)
		return e.ExecContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	return s.Exec(vals)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := s.inner.(driver.StmtQueryContext); ok {
		s.conn.c.stmts.Add(1)
		return q.QueryContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	return s.Query(vals)
}

// CheckNamedValue asks the statement's checker, then the connection's:
// database/sql asks only the statement's when a statement has one.
func (s *countingStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := s.inner.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

// values turns named arguments into positional ones, for drivers that only
// take those.
func values(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("counting driver: named arguments need a driver with StmtExecContext")
		}
		out[i] = a.Value
	}
	return out, nil
}

// countedTarget is a migrated database opened through the counting driver.
type countedTarget struct {
	name    string
	dialect sqlstore.Dialect
	open    func(tb testing.TB) (*sql.DB, *stmtCounter)
}

// countedTargets are a SQLite file (WAL) and a PostgreSQL schema over
// loopback, both opened through the counting driver.
func countedTargets() []countedTarget {
	return []countedTarget{
		{"SQLite", sqlstore.SQLite, func(tb testing.TB) (*sql.DB, *stmtCounter) {
			db, c := countingDB(tb, "sqlite", sqliteDSN(tb))
			db.SetMaxOpenConns(4)
			return db, c
		}},
		{"Postgres", sqlstore.Postgres, func(tb testing.TB) (*sql.DB, *stmtCounter) {
			db, c := countingDB(tb, "pgx", postgresSchemaDSN(tb))
			db.SetMaxOpenConns(4)
			return db, c
		}},
	}
}

// counted returns a migrated Store on ct's database and its counter.
func (ct countedTarget) counted(tb testing.TB) (*sqlstore.Store, *stmtCounter) {
	tb.Helper()
	db, c := ct.open(tb)
	db.SetMaxIdleConns(4)
	s, err := sqlstore.New(db, ct.dialect)
	require.NoError(tb, err)
	require.NoError(tb, s.Migrate(ctx))
	return s, c
}

// TestVerifyStatements pins the SQL a login with an authenticator app
// costs, without a transaction. On PostgreSQL a right code is two
// statements: ReserveAttemptGetEnrollment, which counts the attempt and
// reads the enrollment in one statement, and UpdateEnrollmentVerified,
// which saves the enrollment and resets the failures in one statement (a
// data-modifying WITH clause); a wrong code is the first alone. On SQLite,
// which has no data-modifying WITH clause and no round trip to save,
// ReserveAttemptGetEnrollment is two statements and the verified save a
// transaction of two, the UPDATE of the enrollment and the DELETE of the
// failures: four statements and one transaction for a right code, two
// statements for a wrong one.
func TestVerifyStatements(t *testing.T) {
	want := map[sqlstore.Dialect]struct{ right, rightTx, wrong int64 }{
		sqlstore.Postgres: {right: 2, rightTx: 0, wrong: 1},
		sqlstore.SQLite:   {right: 4, rightTx: 1, wrong: 2},
	}
	for _, ct := range countedTargets() {
		t.Run(ct.name, func(t *testing.T) {
			s, c := ct.counted(t)
			m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k")})
			e := enrolTOTP(t, m, "alice", at(0))
			w := want[ct.dialect]

			for step := 1; step <= 3; step++ {
				stmts0, txs0 := c.snapshot()
				require.NoError(t, verifyTOTP(m, e, totpCode(e.Secret, at(step)), at(step)))
				stmts, txs := c.snapshot()
				assert.Equal(t, w.right, stmts-stmts0, "statements for a right code")
				assert.Equal(t, w.rightTx, txs-txs0, "transactions for a right code")

				stmts0, txs0 = c.snapshot()
				err := verifyTOTP(m, e, wrongCode(e.Secret, at(step), step), at(step))
				require.ErrorIs(t, err, factor.ErrInvalidCode)
				stmts, txs = c.snapshot()
				assert.Equal(t, w.wrong, stmts-stmts0, "statements for a wrong code")
				assert.Zero(t, txs-txs0, "transactions for a wrong code")
			}
		})
	}
}
