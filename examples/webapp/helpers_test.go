package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/twostep/twostep/factor"
)

// testClock is the app's clock in tests: it stands still until moved.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testApp is an App on a temporary SQLite database with a movable clock.
type testApp struct {
	*App
	clock *testClock
	srv   *httptest.Server
	url   string // http://localhost:PORT, for browsers
}

// newTestApp starts an app with policy p on an httptest server. Its URL
// uses the name localhost, on which browsers keep Secure cookies.
func newTestApp(t testing.TB, p factor.Policy) *testApp {
	t.Helper()
	return newTestAppWith(t, p, nil)
}

// newTestAppWith is newTestApp with the configuration changed by edit.
func newTestAppWith(t testing.TB, p factor.Policy, edit func(*Config)) *testApp {
	t.Helper()
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	cfg := Config{DataDir: t.TempDir(), AppName: "Twostep Test", Dev: true, Policy: p,
		BcryptCost: bcrypt.MinCost, Console: io.Discard, Logger: testLogger()}
	if edit != nil {
		edit(&cfg)
	}
	app, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.Now = clock.Now
	srv := httptest.NewServer(app)
	t.Cleanup(func() { srv.Close(); app.Close() })
	u, _ := url.Parse(srv.URL)
	return &testApp{App: app, clock: clock, srv: srv, url: "http://localhost:" + u.Port()}
}

func testLogger() *slog.Logger {
	if os.Getenv("WEBAPP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

const testPassword = "Correct-Horse-42!"

// addUser creates an account directly in the users table.
func (ta *testApp) addUser(t testing.TB, email string, admin bool) *User {
	t.Helper()
	id := rand.Text()
	u, err := ta.users.create(context.Background(), id, email, strings.Split(email, "@")[0], testPassword, admin, ta.Now())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// addTOTP enrols and confirms an authenticator app for the user through
// the Manager, and returns its secret.
func (ta *testApp) addTOTP(t testing.TB, userID string) (enrollmentID string, secret []byte) {
	t.Helper()
	ctx := context.Background()
	e, err := ta.m.Enroll(ctx, factor.EnrollRequest{UserID: userID, Kind: factor.KindTOTP}, ta.Now())
	if err != nil {
		t.Fatal(err)
	}
	ta.clock.Add(30 * time.Second)
	if _, err := ta.m.Confirm(ctx, factor.Answer{UserID: userID, EnrollmentID: e.ID, Code: totpCode(e.Secret, ta.Now())}, ta.Now()); err != nil {
		t.Fatal(err)
	}
	return e.ID, e.Secret
}

// totpCode computes the RFC 6238 code (SHA1, 6 digits, 30 s) at now, as
// an authenticator app would.
func totpCode(secret []byte, now time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(now.Unix()/30))
	h := hmac.New(sha1.New, secret)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// parseKeyText reads the key as the setup page shows it ("ABCD EFGH …").
func parseKeyText(t testing.TB, text string) []byte {
	t.Helper()
	s := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(text), " ", ""))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		t.Fatalf("key %q: %v", text, err)
	}
	return b
}

// client is a plain net/http browser stand-in with a cookie jar that
// does not follow redirects.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (ta *testApp) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &client{t: t, base: ta.srv.URL, hc: hc}
}

// get fetches path and returns the status, the Location and the body.
func (c *client) get(path string, hdr ...string) (int, string, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// post submits a form.
func (c *client) post(path string, form url.Values, hdr ...string) (int, string, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

func (c *client) do(req *http.Request) (int, string, string) {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf fetches path and returns the CSRF token of its first form.
func (c *client) csrf(path string) string {
	c.t.Helper()
	_, _, body := c.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s:\n%s", path, body)
	}
	return m[1]
}

// login posts the password form and returns where it leads.
func (c *client) login(email string) string {
	c.t.Helper()
	code, loc, body := c.post("/login", url.Values{"csrf": {c.csrf("/login")}, "email": {email}, "password": {testPassword}})
	if code != http.StatusSeeOther {
		c.t.Fatalf("login: %d\n%s", code, body)
	}
	return loc
}

// statusOf reports a user's two-step verification.
func statusOf(t testing.TB, ta *testApp, email string) *factor.Status {
	t.Helper()
	u, err := ta.users.byEmail(context.Background(), email)
	if err != nil || u == nil {
		t.Fatalf("user %s: %v", email, err)
	}
	st, err := ta.m.Status(context.Background(), factor.StatusRequest{UserID: u.ID}, ta.Now())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// regexpFind returns the first group of pattern in s.
func regexpFind(t testing.TB, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found in:\n%s", pattern, s)
	}
	return m[1]
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// loggedInAgain logs an existing user with an authenticator app in again,
// with a code of the secret enrolled earlier; after a restart it proves
// that sealed secrets survive.
func loggedInAgain(t *testing.T, ta *testApp, email string, secret []byte) {
	t.Helper()
	u, _ := ta.users.byEmail(context.Background(), email)
	if u == nil {
		t.Fatalf("no user %s after restart", email)
	}
	c := ta.client(t)
	if loc := c.login(email); loc != "/login/2fa" {
		t.Fatalf("login after restart leads to %s", loc)
	}
	_, _, body := c.get("/login/2fa")
	ta.clock.Add(30 * time.Second)
	form := url.Values{"csrf": {c.csrf("/login/2fa")}, "m": {regexpFind(t, body, `name="m" value="([^"]+)"`)}, "code": {totpCode(secret, ta.Now())}}
	if code, loc, body := c.post("/login/2fa", form); loc != "/" {
		t.Fatalf("second step after restart: %d %s\n%s", code, loc, body)
	}
}
