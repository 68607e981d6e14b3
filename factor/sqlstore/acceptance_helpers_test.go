package sqlstore_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"database/sql"
	"encoding/binary"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/totp"
)

// Helpers for the acceptance tests and benchmarks: the multi-process races,
// the security checks and the statement counts. The helpers in
// helpers_test.go take a *testing.T; these take a testing.TB so that
// benchmarks can use them too.

// t0 is the time the acceptance tests start at, on a 30-second step.
var t0 = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)

// at returns the time n TOTP steps after t0.
func at(n int) time.Time { return t0.Add(time.Duration(n) * 30 * time.Second) }

// totpCode computes the 6-digit SHA-1 code an authenticator app shows for
// secret at t, independently of package totp.
func totpCode(secret []byte, t time.Time) string {
	mac := hmac.New(sha1.New, secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.Unix()/30))
	mac.Write(b[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// wrongCode returns a 6-digit code that no step from one before t to one
// after t accepts, so that it is wrong at t under the default window.
func wrongCode(secret []byte, t time.Time, seed int) string {
	valid := map[string]bool{}
	for d := -2; d <= 2; d++ {
		valid[totpCode(secret, t.Add(time.Duration(d)*30*time.Second))] = true
	}
	for i := seed; ; i++ {
		c := fmt.Sprintf("%06d", (i*7919+123457)%1000000)
		if !valid[c] {
			return c
		}
	}
}

// newKey returns a fresh random key.
func newKey(tb testing.TB, id string) factor.ServerKey {
	secret := make([]byte, 32)
	_, err := rand.Read(secret)
	require.NoError(tb, err)
	return factor.ServerKey{ID: id, Secret: secret}
}

// newApp returns the authenticator-app factor with its default window of
// one step behind and one ahead.
func newApp(tb testing.TB) *totp.Factor {
	app, err := totp.New(totp.Config{Issuer: "Acme"})
	require.NoError(tb, err)
	return app
}

// newTOTPManager returns a Manager with an authenticator-app factor (or the
// factors given) on s, under keys.
func newTOTPManager(tb testing.TB, s factor.Store, keys []factor.ServerKey, factors ...factor.Factor) *factor.Manager {
	tb.Helper()
	if len(factors) == 0 {
		factors = []factor.Factor{newApp(tb)}
	}
	m, err := factor.NewManager(factor.Config{Store: s, Keys: keys, Factors: factors})
	require.NoError(tb, err)
	return m
}

// enrolTOTP enrols an authenticator app for user and confirms it with the
// code of the step of when. It returns the enrollment with its secret in
// the clear.
func enrolTOTP(tb testing.TB, m *factor.Manager, user string, when time.Time) *factor.Enrollment {
	tb.Helper()
	return enrolTOTPAfter(tb, m, user, nil, when)
}

// enrolTOTPAfter is enrolTOTP for a user who has the authenticator app
// prev already: the user first passes a second step with prev, with the
// code of the step after when's (which the window accepts at when), as
// adding a method asks.
func enrolTOTPAfter(tb testing.TB, m *factor.Manager, user string, prev *factor.Enrollment, when time.Time) *factor.Enrollment {
	tb.Helper()
	grant := ""
	if prev != nil {
		res, err := m.Verify(ctx, factor.Answer{UserID: user, EnrollmentID: prev.ID, Code: totpCode(prev.Secret, when.Add(30*time.Second))}, when)
		require.NoError(tb, err)
		grant = res.StepUp
	}
	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, Label: "Phone", StepUp: grant}, when)
	require.NoError(tb, err)
	require.NoError(tb, factortest.Err(m.Confirm(ctx, factor.Answer{UserID: user, EnrollmentID: e.ID, Code: totpCode(e.Secret, when)}, when)))
	return &e.Enrollment
}

// verifyTOTP answers e's enrollment with code at when.
func verifyTOTP(m *factor.Manager, e *factor.Enrollment, code string, when time.Time) error {
	return factortest.Err(m.Verify(ctx, factor.Answer{UserID: e.UserID, EnrollmentID: e.ID, Code: code}, when))
}

// requirePostgres returns TWOSTEP_TEST_POSTGRES like postgresDSN, for
// tests and benchmarks: it skips when the variable is empty, and fails
// instead when TWOSTEP_REQUIRE_SERVICES=1.
func requirePostgres(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("TWOSTEP_TEST_POSTGRES")
	if dsn == "" {
		const msg = "PostgreSQL not available: set TWOSTEP_TEST_POSTGRES to a DSN, " +
			"for example with `export TWOSTEP_TEST_POSTGRES=$(bash .ci/postgres.sh | tail -n1)`"
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return dsn
}

// postgresAdmin runs a statement on the database TWOSTEP_TEST_POSTGRES
// names.
func postgresAdmin(tb testing.TB, query string) {
	tb.Helper()
	db, err := sql.Open("pgx", requirePostgres(tb))
	require.NoError(tb, err)
	defer db.Close()
	_, err = db.Exec(query)
	require.NoError(tb, err, query)
}

// postgresSchemaDSN creates a new, empty schema, dropped when the test
// ends, and returns a DSN whose search_path is that schema, for every
// connection and process that opens it.
func postgresSchemaDSN(tb testing.TB) string {
	tb.Helper()
	dsn := requirePostgres(tb)
	schema := randomName("twostep_test_")
	postgresAdmin(tb, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { postgresAdmin(tb, "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(dsn)
	require.NoError(tb, err, "TWOSTEP_TEST_POSTGRES is not a URL")
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// sqliteDSN returns the recommended DSN (WAL, busy timeout, immediate
// transactions) for a new file in a temporary directory.
func sqliteDSN(tb testing.TB) string {
	return "file:" + filepath.Join(tb.TempDir(), "twostep.db") + "?" + sqliteOptions
}

// dbTarget is one database the acceptance tests run against: a SQLite file
// or a PostgreSQL schema, named by driver and DSN so that other processes
// can open it too.
type dbTarget struct {
	dialect sqlstore.Dialect
	driver  string
	dsn     string
}

// sharedTarget makes a database that several processes can share.
type sharedTarget struct {
	name string
	make func(t *testing.T) dbTarget
}

// sharedTargets returns the databases that several processes can share: a
// SQLite file and a PostgreSQL schema. Each make returns a new, migrated
// database; the PostgreSQL one skips without TWOSTEP_TEST_POSTGRES.
func sharedTargets() []sharedTarget {
	return []sharedTarget{
		{"SQLite", func(t *testing.T) dbTarget {
			return migrated(t, dbTarget{sqlstore.SQLite, "sqlite", sqliteDSN(t)})
		}},
		{"Postgres", func(t *testing.T) dbTarget {
			return migrated(t, dbTarget{sqlstore.Postgres, "pgx", postgresSchemaDSN(t)})
		}},
	}
}

// migrated applies the schema to d.
func migrated(tb testing.TB, d dbTarget) dbTarget {
	tb.Helper()
	s := d.open(tb)
	require.NoError(tb, s.Migrate(ctx))
	return d
}

// open opens d and returns a Store on it; the handle closes when the test
// ends.
func (d dbTarget) open(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	db := d.db(tb)
	s, err := sqlstore.New(db, d.dialect)
	require.NoError(tb, err)
	return s
}

// maxConns bounds the connections of each *sql.DB a dbTarget opens.
const maxConns = 8

// db opens d; the handle closes when the test ends.
func (d dbTarget) db(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open(d.driver, d.dsn)
	require.NoError(tb, err)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	tb.Cleanup(func() { db.Close() })
	return db
}
