package passkeybrowser

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/passkey"
)

const page = `<!doctype html><title>passkeys</title>
<input id="user" autocomplete="username webauthn">
<script>
async function call(path, body) {
  const r = await fetch(path, {method: "POST", body: body === undefined ? "" : JSON.stringify(body)});
  const text = await r.text();
  if (!r.ok) throw new Error(path + ": " + text);
  return text ? JSON.parse(text) : null;
}
async function register() {
  const o = await call("/register/begin");
  const c = await navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o.publicKey)});
  return await call("/register/finish", c.toJSON());
}
async function login() {
  const o = await call("/login/begin");
  const c = await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o.publicKey)});
  return await call("/login/finish", c.toJSON());
}
async function passwordless() {
  const o = await call("/passwordless/begin");
  const c = await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o.publicKey)});
  return await call("/passwordless/finish", c.toJSON());
}
</script>`

// server is the test page's back end: one user, alice, whose password step
// is taken as passed.
type server struct {
	p        *passkey.Passkeys
	mu       sync.Mutex
	enrolID  string
	ceremony string
}

func (s *server) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	ctx := context.Background()
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			t.Logf("server: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch v := v.(type) {
		case []byte:
			_, _ = w.Write(v)
		case string:
			_, _ = io.WriteString(w, `"`+v+`"`)
		}
	}
	body := func(r *http.Request) []byte { b, _ := io.ReadAll(r.Body); return b }
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, page) })
	mux.HandleFunc("POST /register/begin", func(w http.ResponseWriter, _ *http.Request) {
		reg, err := s.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Chromium"}, time.Now())
		if err == nil {
			s.mu.Lock()
			s.enrolID = reg.EnrollmentID
			s.mu.Unlock()
			reply(w, []byte(reg.Options), nil)
			return
		}
		reply(w, nil, err)
	})
	mux.HandleFunc("POST /register/finish", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		id := s.enrolID
		s.mu.Unlock()
		res, err := s.p.FinishRegistration(ctx, "alice", id, body(r), time.Now())
		reply(w, string(res.Kind), err)
	})
	mux.HandleFunc("POST /login/begin", func(w http.ResponseWriter, _ *http.Request) {
		a, err := s.p.BeginLogin(ctx, "alice", time.Now())
		if err != nil {
			reply(w, nil, err)
			return
		}
		reply(w, []byte(a.Options), nil)
	})
	mux.HandleFunc("POST /login/finish", func(w http.ResponseWriter, r *http.Request) {
		res, err := s.p.FinishLogin(ctx, "alice", body(r), time.Now())
		reply(w, res.EnrollmentID, err)
	})
	mux.HandleFunc("POST /passwordless/begin", func(w http.ResponseWriter, _ *http.Request) {
		a, err := s.p.BeginPasswordless(ctx, time.Now())
		if err != nil {
			reply(w, nil, err)
			return
		}
		s.mu.Lock()
		s.ceremony = a.Ceremony
		s.mu.Unlock()
		reply(w, []byte(a.Options), nil)
	})
	mux.HandleFunc("POST /passwordless/finish", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		c := s.ceremony
		s.mu.Unlock()
		login, err := s.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: c, Response: body(r), Client: r.RemoteAddr}, time.Now())
		reply(w, login.UserID, err)
	})
	return mux
}

func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "chromium not found (install Debian's chromium or set CHROMIUM); skipping the passkey browser test"
	if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestPasskeysInChromium registers a passkey, logs in with it as the second
// step and passwordless, in Chromium with a virtual CTAP2 authenticator that
// has resident keys and user verification.
func TestPasskeysInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	exe := chromium(t)
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Keys:    []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Factors: []factor.Factor{passkey.Factor{}},
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	p, err := passkey.New(m, passkey.Config{RPID: "localhost", Origins: []string{base}, Passwordless: true})
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer((&server{p: p}).handler(t))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			t.Fatalf("start chromium: %v", err)
		}
		t.Skipf("chromium does not start (%v); skipping the passkey browser test", err)
	}
	enableUI := false
	_, err = chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &enableUI})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	require.NoError(t, err)

	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		require.NoError(t, err, js)
		return v
	}
	require.Equal(t, "passkey", eval(`register()`))
	enrollment := eval(`login()`)
	require.NotEmpty(t, enrollment)
	require.Equal(t, "alice", eval(`passwordless()`))
	markup, err := chromedp.Run(ctx, chromedp.AttributeValue(`#user`, "autocomplete"))
	require.NoError(t, err)
	require.Equal(t, "username webauthn", markup.Value, "conditional UI (autofill) markup")

	// Removing the passkey leaves nothing to log in with.
	require.NoError(t, m.Remove(context.Background(), factor.RemoveRequest{UserID: "alice", EnrollmentID: enrollment}, time.Now()))
	require.Contains(t, eval(`login().then(() => "passed", e => e.message)`), "no passkey registered")
}
