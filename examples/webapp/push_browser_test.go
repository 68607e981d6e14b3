package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

// syncBuffer is a log destination that tests read while the app writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// newPushApp starts an app whose phone-app endpoint is reachable at its own
// loopback address (the port is known before the app is built), logging
// everything, twostep's audit events included, as JSON into logs.
func newPushApp(t *testing.T) (ta *testApp, logs *syncBuffer) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	logs = &syncBuffer{}
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	cfg := Config{DataDir: t.TempDir(), AppName: "Twostep Test", Dev: true, BcryptCost: bcrypt.MinCost, Console: io.Discard,
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		PushURL: "http://" + srv.Listener.Addr().String() + pushPath}
	app, err := New(context.Background(), cfg)
	require.NoError(t, err)
	app.Now = clock.Now
	srv.Config.Handler = app
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	return &testApp{App: app, clock: clock, srv: srv, url: "http://localhost:" + port}, logs
}

// recorder keeps the bodies of the phone's requests, to look for their
// secrets, nonces and signatures in the app's logs.
type recorder struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if json.Unmarshal(b, &m) == nil {
		r.mu.Lock()
		r.bodies = append(r.bodies, m)
		r.mu.Unlock()
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return http.DefaultTransport.RoundTrip(req)
}

// secrets are the values of the phone's requests that must never be
// logged: the enrolment secret, nonces and signatures.
func (r *recorder) secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.bodies {
		for _, k := range []string{"secret", "nonce", "signature"} {
			if s, ok := m[k].(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestBrowserPhoneApp sets up the phone app in Chromium (the enrolment URI
// read from the page, registered with pushclient), logs in by approving
// the number on the phone, and has a second login denied with "not me":
// the page says so, and the audit event is recorded. Nothing the phone
// sent that is secret reaches the logs.
func TestBrowserPhoneApp(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	ta, logs := newPushApp(t)
	b := newTab(t, browser, ta.url)
	ctx := context.Background()
	u := ta.addUser(t, "pia@example.com", false)

	b.login(u.Email)
	b.wantPath("/setup/offer")
	b.click("setup-start")
	b.click("add-push")
	b.wantPath("/setup/push")
	if src := eval[string](b, `document.getElementById("push-qr").src`); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("QR src = %.40q", src)
	}
	assert.Equal(t, "polite", eval[string](b, `document.getElementById("push-setup-status").getAttribute("aria-live")`))
	inv, err := pushclient.ParseURI(eval[string](b, `document.getElementById("push-uri").textContent`))
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	rec := &recorder{}
	phone := &pushclient.Client{Key: key, HTTP: &http.Client{Transport: rec}}
	dev, err := phone.Register(ctx, inv, pushclient.AppInfo{Platform: push.PlatformOther, DeviceName: "Pia's phone"}, ta.Now())
	require.NoError(t, err)
	b.codesShown() // the page saw the registration and went on: two-step verification is on
	if got := b.text("my-methods"); !strings.Contains(got, "Pia's phone") || !strings.Contains(got, tr("en", "kind_push")) {
		t.Fatalf("methods: %s", got)
	}
	b.click("finish")
	b.click("logout")

	// Log in: approve the number on the phone.
	b.login(u.Email)
	b.wantPath("/login/2fa")
	b.click("send-push")
	number := b.text("push-number")
	require.Len(t, number, 2)
	assert.Equal(t, "polite", eval[string](b, `document.getElementById("push-status").getAttribute("aria-live")`))
	reqs, err := phone.Poll(ctx, dev, ta.Now())
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Contains(t, reqs[0].Numbers, number)
	assert.Equal(t, "Twostep Test", reqs[0].Context.App)
	res, err := phone.Approve(ctx, dev, reqs[0], number, ta.Now())
	require.NoError(t, err)
	require.Equal(t, "approved", res.Result)
	b.waitPath("/")
	if !strings.Contains(b.text("welcome"), "pia") {
		t.Fatalf("welcome = %q", b.text("welcome"))
	}
	b.click("logout")

	// Someone else has the password: "not me" on the phone.
	ta.clock.Add(time.Minute)
	b.login(u.Email)
	b.wantPath("/login/2fa")
	b.click("send-push")
	reqs, err = phone.Poll(ctx, dev, ta.Now())
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	res, err = phone.Deny(ctx, dev, reqs[0], push.ReasonNotMe, ta.Now())
	require.NoError(t, err)
	require.Equal(t, "denied", res.Result)
	waitText(t, b, "push-status", tr("en", "push_denied_not_me"))
	b.wantPath("/login/2fa")
	assert.Equal(t, "error", eval[string](b, `document.getElementById("push-status").className`))
	assert.Contains(t, logs.String(), `"type":"`+string(push.EventNotMe)+`"`, "the audit event of the suspicious sign-in")

	// A new request is refused while pushes are paused after "not me".
	ta.clock.Add(time.Minute)
	b.click("push-again")
	assert.Contains(t, b.body(), factor.UserMessage(push.ErrBlocked, "en"))

	log := logs.String()
	for _, s := range rec.secrets() {
		assert.NotContains(t, log, s, "a secret of the phone's requests is in the log")
	}
	assert.NotContains(t, log, inv.Secret)
	priv, err := key.Bytes()
	require.NoError(t, err)
	assert.NotContains(t, log, hex.EncodeToString(priv))
	assert.NotContains(t, log, new(big.Int).SetBytes(priv).String())
}

// waitText waits until the element's text is want, as the page's script
// writes it.
func waitText(t *testing.T, b *tab, id, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if eval[string](b, `document.getElementById(`+jsString(id)+`).textContent`) == want {
			return
		}
	}
	t.Fatalf("#%s says %q, want %q", id, b.text(id), want)
}
