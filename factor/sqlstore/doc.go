// Package sqlstore is a factor.Store on database/sql for SQLite and
// PostgreSQL.
//
// The host opens the *sql.DB with the driver of its choice and hands it to
// New together with the Dialect; this package imports no driver. Known to
// work are modernc.org/sqlite (driver name "sqlite") and the stdlib adapter
// of github.com/jackc/pgx/v5 (import _ "github.com/jackc/pgx/v5/stdlib",
// driver name "pgx").
//
// # Schema
//
// The schema ships as embedded SQL files, one directory per dialect, and is
// applied by Store.Migrate. Migrate records what it applied in the table
// twostep_schema_version, runs each file in its own transaction, does nothing
// for files already applied, and is safe to run from several processes at
// once: on PostgreSQL it holds a transaction-scoped advisory lock, on SQLite
// it takes the write lock up front with BEGIN IMMEDIATE. Hosts with their own
// migration tool can take the files from Migrations instead. Every table is
// prefixed twostep_, and there are no triggers. The dialects need not have
// the same versions. SQLite's version 3 drops the trigger and the column
// that its version 2 added; a process of an earlier release still writes
// that column and fails once it is gone, so upgrade all processes that
// share a SQLite database together.
//
// # SQLite
//
// SQLite needs SQLite 3.35 or later (for RETURNING and DROP COLUMN). The
// recommended DSN for modernc.org/sqlite is
//
//	file:/path/to/app.db?_pragma=busy_timeout(100)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate
//
// The busy timeout makes writers from several connections and processes
// queue for the write lock instead of failing at once with SQLITE_BUSY.
// Keep it short: SQLite's busy handler sleeps without looking at the
// context, so a call overruns its deadline by up to the busy timeout.
// When the busy timeout runs out, the Store tries the statement or
// transaction again, and again, until the context is done, and then
// returns an error wrapping the context's error (such as
// context.DeadlineExceeded); a context without a deadline gets 5 seconds
// of retries. With busy_timeout(100) a call with a 2-second deadline
// returns within about 2.1 seconds however long another process holds the
// write lock. Do not set _inttotime: times are stored as INTEGER
// microseconds since the Unix epoch, and this package converts them itself.
// An in-memory database exists per connection, so give it a single
// connection with db.SetMaxOpenConns(1), or use a shared-cache name such as
// file:twostep?mode=memory&cache=shared and still a single connection, since
// shared-cache locks do not wait for the busy timeout.
//
// # PostgreSQL
//
// Open the database with sql.Open("pgx", dsn) and bound the pool with
// db.SetMaxOpenConns below the server's max_connections. Tables can live in
// a schema of their own by setting search_path in the DSN. IDs and user IDs
// are text and so cannot hold NUL bytes.
//
// # Consistency
//
// Every atomic operation of the factor.Store contract is one SQL statement:
// compare-and-swap updates are UPDATE ... WHERE version = $n, attempts and
// counters are single upserts with RETURNING, and one-time codes are
// consumed by a single DELETE or UPDATE whose affected-row count decides the
// only winner. No operation reads a record into Go, changes it and writes it
// back. Two operations join several changes in one transaction: replacing
// a user's recovery codes, and consuming one and counting the rest, so that
// concurrent consumers see distinct counts. On PostgreSQL these two
// transactions are serialised per user by a transaction-scoped advisory
// lock. UpdateEnrollmentVerified, the save after a successful code, changes
// the enrollment and resets the user's attempts together: in one statement
// on PostgreSQL, a data-modifying WITH clause, and in a transaction of two
// on SQLite, which has no such clause.
//
// Times are stored in UTC with microsecond precision and returned in UTC;
// the zero time is stored as NULL and comes back as the zero time. Empty
// byte slices may come back as nil.
//
// # A login's statements
//
// A login with an authenticator app is two statements on PostgreSQL:
// ReserveAttemptGetEnrollment (factor.ReservingStore) counts the attempt
// and reads the enrollment in one statement, and UpdateEnrollmentVerified
// saves the enrollment and resets the failures in one; a wrong code is the
// first alone. On SQLite, in-process and without round trips to save,
// ReserveAttemptGetEnrollment is ReserveAttempt and then GetEnrollment,
// and UpdateEnrollmentVerified is a transaction of an UPDATE and a DELETE,
// so a login is four statements, two of them in one transaction, and a
// wrong code two. On PostgreSQL UpdateEnrollmentVerified
// keeps the user's twostep_attempts row with zero counts rather than
// deleting it, as ResetAttempts does, and migration 0002 leaves free room
// in the pages of the attempts and enrollment tables, so that a login's
// writes are HOT updates that touch no index.
package sqlstore
