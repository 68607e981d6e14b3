package passkey_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/passkey"
)

// The helpers below are small copies of helpers in the tests of package
// passkey and of factor/sqlstore, which this module cannot import: a test
// file belongs to its package.

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

const origin = "https://login.example.com"

var rp = virtualwebauthn.RelyingParty{ID: "example.com", Name: "Example", Origin: origin}

// backend opens a fresh, empty database.
type backend struct {
	name    string
	dialect sqlstore.Dialect
	open    func(t *testing.T) *sql.DB
}

func backends() []backend {
	return []backend{
		{"SQLite", sqlstore.SQLite, openSQLite},
		{"Postgres", sqlstore.Postgres, openPostgres},
	}
}

func openDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// openSQLite opens a new SQLite file with the DSN sqlstore recommends.
func openSQLite(t *testing.T) *sql.DB {
	dsn := "file:" + filepath.Join(t.TempDir(), "twostep.db") +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db := openDB(t, "sqlite", dsn)
	db.SetMaxOpenConns(16)
	return db
}

// openPostgres opens TWOSTEP_TEST_POSTGRES with search_path set to a new
// schema, dropped when the test ends. Without the variable the test
// skips, or fails when TWOSTEP_REQUIRE_SERVICES=1.
func openPostgres(t *testing.T) *sql.DB {
	dsn := os.Getenv("TWOSTEP_TEST_POSTGRES")
	if dsn == "" {
		const msg = "PostgreSQL not available: set TWOSTEP_TEST_POSTGRES to a DSN"
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "twostep_test_" + hex.EncodeToString(b)
	admin := openDB(t, "pgx", dsn)
	_, err := admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db := openDB(t, "pgx", u.String())
	db.SetMaxOpenConns(20)
	return db
}

// env is a Manager with passkeys on a migrated sqlstore, its events
// recorded.
type env struct {
	db     *sql.DB
	s      *sqlstore.Store
	m      *factor.Manager
	p      *passkey.Passkeys
	mu     sync.Mutex
	events []factor.Event
	// devices are each user's registered devices, for the second step
	// that adding another passkey asks.
	devices map[string]*device
}

func newEnv(t *testing.T, b backend, cfg passkey.Config) *env {
	t.Helper()
	e := &env{db: b.open(t)}
	var err error
	e.s, err = sqlstore.New(e.db, b.dialect)
	require.NoError(t, err)
	require.NoError(t, e.s.Migrate(context.Background()))
	e.m, err = factor.NewManager(factor.Config{
		Store:   e.s,
		Keys:    []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Factors: []factor.Factor{passkey.Factor{}},
		Events: factor.EventFunc(func(_ context.Context, ev factor.Event) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ev)
		}),
	})
	require.NoError(t, err)
	cfg.RPID, cfg.Origins = rp.ID, []string{origin}
	e.p, err = passkey.New(e.m, cfg)
	require.NoError(t, err)
	return e
}

// count returns how many events of type typ were recorded.
func (e *env) count(typ factor.EventType) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.events {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// device is a software authenticator with one credential.
type device struct {
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice(opts virtualwebauthn.AuthenticatorOptions) *device {
	return &device{auth: virtualwebauthn.NewAuthenticatorWithOptions(opts), cred: newEC2Credential()}
}

// create answers registration options as a browser would.
func (d *device) create(t *testing.T, opts json.RawMessage) []byte {
	t.Helper()
	o, err := virtualwebauthn.ParseAttestationOptions(string(opts))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(o.UserID) // a discoverable credential keeps the handle
	resp := virtualwebauthn.CreateAttestationResponse(rp, d.auth, d.cred, *o)
	d.auth.AddCredential(d.cred)
	return []byte(resp)
}

// get answers login options as a browser would, advancing the signature
// counter.
func (d *device) get(t *testing.T, opts json.RawMessage) []byte {
	t.Helper()
	o, err := virtualwebauthn.ParseAssertionOptions(string(opts))
	require.NoError(t, err)
	d.cred.Counter++
	return []byte(virtualwebauthn.CreateAssertionResponse(rp, d.auth, d.cred, *o))
}

// register registers d for user as a confirmed passkey and returns the
// enrollment's ID.
func (e *env) register(t *testing.T, user string, d *device, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	grant := ""
	if prev, ok := e.devices[user]; ok { // adding a passkey: log in with one first
		a, err := e.p.BeginLogin(ctx, user, now)
		require.NoError(t, err)
		res, err := e.p.FinishLogin(ctx, user, prev.get(t, a.Options), now)
		require.NoError(t, err)
		grant = res.StepUp
	}
	if e.devices == nil {
		e.devices = map[string]*device{}
	}
	e.devices[user] = d
	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: user, Label: "Laptop", StepUp: grant}, now)
	require.NoError(t, err)
	res, err := e.p.FinishRegistration(ctx, user, reg.EnrollmentID, d.create(t, reg.Options), now)
	require.NoError(t, err)
	require.Equal(t, reg.EnrollmentID, res.EnrollmentID)
	return reg.EnrollmentID
}
