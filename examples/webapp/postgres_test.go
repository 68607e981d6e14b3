package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
)

// The app runs on PostgreSQL as well: its users table and twostep's
// tables in one schema. Needs TWOSTEP_TEST_POSTGRES, as the sqlstore tests.
func TestPostgres(t *testing.T) {
	dsn := os.Getenv("TWOSTEP_TEST_POSTGRES")
	if dsn == "" {
		const msg = "PostgreSQL not available: set TWOSTEP_TEST_POSTGRES, e.g. export TWOSTEP_TEST_POSTGRES=$(bash .ci/postgres.sh | tail -n1)"
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dsn = ownSchema(t, dsn)
	cfg := Config{DataDir: t.TempDir(), Postgres: dsn, AppName: "PG", Dev: true, Demo: true, BcryptCost: 4, Console: nopWriter{}}
	app, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if len(app.demo) != 2 {
		t.Fatalf("demo accounts: %+v", app.demo)
	}
	clock := &testClock{t: time.Now()}
	app.Now = clock.Now
	ta := &testApp{App: app, clock: clock}
	ta.srv = newServer(t, app)
	c, secret := loggedIn(t, ta, "pg@example.com", false)
	if code, _, _ := c.get("/settings"); code != http.StatusOK {
		t.Fatalf("settings: %d", code)
	}
	if st := statusOf(t, ta, "pg@example.com"); !st.Enabled || st.Enrollments[0].Kind != factor.KindTOTP {
		t.Fatalf("status %+v", st)
	}
	// A restart with the same data directory keeps working: same keys.
	app.Close()
	again, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	ta.App = again
	again.Now = clock.Now
	ta.srv = newServer(t, again)
	loggedInAgain(t, ta, "pg@example.com", secret)
}

// ownSchema creates a schema for this test and returns dsn using it.
func ownSchema(t *testing.T, dsn string) string {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "webapp_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", dsn); err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("TWOSTEP_TEST_POSTGRES is not a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
