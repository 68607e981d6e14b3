package push_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// events records audit events.
type events struct {
	mu   sync.Mutex
	list []factor.Event
}

func (r *events) Event(_ context.Context, e factor.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, e)
}

func (r *events) count(t factor.EventType) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.list {
		if e.Type == t {
			n++
		}
	}
	return n
}

// notifier records notifications and answers with err.
type notifier struct {
	mu   sync.Mutex
	sent []push.Notification
	err  error
}

func (n *notifier) Notify(_ context.Context, x push.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, x)
	return n.err
}

// env is a Manager with a push Factor served over httptest.
type env struct {
	t      testing.TB
	m      *factor.Manager
	f      *push.Factor
	clock  *factortest.Clock
	events *events
	alerts *events
	notes  *notifier
	logs   *factortest.LogBuffer
	srv    *httptest.Server
	url    string
}

func newEnv(t *testing.T, tweak func(*push.Config)) *env {
	t.Helper()
	return newEnvWith(t, tweak, nil)
}

func newEnvWith(t testing.TB, tweak func(*push.Config), mtweak func(*factor.Config)) *env {
	t.Helper()
	ev := &env{t: t, clock: factortest.NewClock(t0), events: &events{}, alerts: &events{}, notes: &notifier{}}
	var h http.Handler
	ev.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ev.srv.Close)
	ev.url = ev.srv.URL + "/twostep/push"
	cfg := push.Config{URL: ev.url, Issuer: "Example", Notifier: ev.notes, Alerts: ev.alerts, Clock: ev.clock.Now}
	if tweak != nil {
		tweak(&cfg)
	}
	f, err := push.New(cfg)
	require.NoError(t, err)
	log, buf := factortest.NewLogger()
	mcfg := factor.Config{
		Store: memstore.New(), Factors: []factor.Factor{f}, Sender: factor.Router{push.Kind: f},
		Events: ev.events, Logger: log, Keys: []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
	}
	if mtweak != nil {
		mtweak(&mcfg)
	}
	m, err := factor.NewManager(mcfg)
	require.NoError(t, err)
	require.NoError(t, f.Bind(m))
	mux := http.NewServeMux()
	mux.Handle("/twostep/push/", f)
	h = mux
	ev.m, ev.f, ev.logs = m, f, buf
	return ev
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// phone is a device enrolled for a user.
type phone struct {
	c      *pushclient.Client
	d      *pushclient.Registered
	user   string
	enroll string
}

// enrol sets up a phone for user and confirms it.
func (ev *env) enrol(user string) *phone {
	ev.t.Helper()
	s, err := ev.f.Enroll(context.Background(), push.SetupRequest{UserID: user, Account: user + "@example.com"}, ev.clock.Now())
	require.NoError(ev.t, err)
	inv, err := pushclient.ParseURI(s.URI)
	require.NoError(ev.t, err)
	c := &pushclient.Client{Key: newKey(ev.t)}
	d, err := c.Register(context.Background(), inv, pushclient.AppInfo{PushToken: "tok-" + user, Platform: "android", DeviceName: "Pixel of " + user}, ev.clock.Now())
	require.NoError(ev.t, err)
	return &phone{c: c, d: d, user: user, enroll: inv.Enrollment}
}

// login starts a push sign-in for p's user.
func (ev *env) login(p *phone) *factor.Sent {
	ev.t.Helper()
	sent, err := ev.f.Challenge(context.Background(), push.LoginRequest{UserID: p.user, EnrollmentID: p.enroll, Language: "en", Context: push.Context{App: "Portal", Browser: "Firefox on Linux", Location: "Utrecht, NL"}}, ev.clock.Now())
	require.NoError(ev.t, err)
	return sent
}

// request polls p and returns its one open request.
func (ev *env) request(p *phone) pushclient.Request {
	ev.t.Helper()
	reqs, err := p.c.Poll(context.Background(), p.d, ev.clock.Now())
	require.NoError(ev.t, err)
	require.Len(ev.t, reqs, 1)
	return reqs[0]
}

func (ev *env) status(p *phone, challenge string) push.Approval {
	ev.t.Helper()
	s, err := ev.f.Status(context.Background(), p.user, challenge, ev.clock.Now())
	require.NoError(ev.t, err)
	return s
}

// wrong returns a number among r's choices other than right.
func wrong(r pushclient.Request, right string) string {
	for _, n := range r.Numbers {
		if n != right {
			return n
		}
	}
	return ""
}
