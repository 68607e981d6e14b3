package main

import (
	"context"
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/twostep/twostep/factor"
)

// newPasskeyApp is newTestApp with passkeys: they are bound to the origin
// the browser sees, so the port is chosen before the app is built.
func newPasskeyApp(t *testing.T, p factor.Policy) *testApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	cfg := Config{DataDir: t.TempDir(), AppName: "Twostep Test", Dev: true, Policy: p, PasskeyOrigin: base,
		BcryptCost: bcrypt.MinCost, Console: io.Discard, Logger: testLogger()}
	app, err := New(context.Background(), cfg)
	require.NoError(t, err)
	app.Now = clock.Now
	srv := httptest.NewUnstartedServer(app)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &testApp{App: app, clock: clock, srv: srv, url: base}
}

// recordCredentialRequests is run in every page before its scripts: it
// records what the page asks of navigator.credentials.get. An autofill
// request (mediation "conditional") waits for the user to pick a passkey
// in the username field, which a test cannot do, so here it waits until
// the page aborts it; every other request goes to the browser.
const recordCredentialRequests = `(function () {
  window.passkeyRequests = [];
  var get = navigator.credentials.get.bind(navigator.credentials);
  navigator.credentials.get = function (o) {
    var pk = o.publicKey;
    window.passkeyRequests.push({mediation: o.mediation || "", userVerification: pk.userVerification || "",
      allowCredentials: (pk.allowCredentials || []).length, challenge: pk.challenge.byteLength, signal: !!o.signal});
    if (o.mediation === "conditional") {
      return new Promise(function (_, reject) {
        o.signal.addEventListener("abort", function () { reject(new DOMException("aborted", "AbortError")); });
      });
    }
    return get(o);
  };
})();`

// withAuthenticator gives the tab a virtual CTAP2 authenticator with
// resident keys and user verification (DevTools WebAuthn domain), and
// records the page's credential requests.
func withAuthenticator(t *testing.T, b *tab) webauthn.AuthenticatorID {
	t.Helper()
	_, err := chromedp.Call(b.ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: recordCredentialRequests})
	require.NoError(t, err)
	enableUI := false
	_, err = chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &enableUI})
	require.NoError(t, err)
	res, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	require.NoError(t, err)
	return res.AuthenticatorID
}

// press clicks the button with this ID; the page's script then navigates
// by itself, to path.
func (b *tab) press(id, path string) {
	b.t.Helper()
	if _, err := act(b, chromedp.Click(chromedp.ID(id))); err != nil {
		b.t.Fatalf("click #%s: %v", id, err)
	}
	b.waitPath(path)
}

// TestPasskeyBrowser drives the passkey pages in Chromium with a virtual
// authenticator: register a passkey in setup, log in with it as the
// second step, log in without a password through "Sign in with a
// passkey", rename it and remove it after a step-up with it.
func TestPasskeyBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	ta := newPasskeyApp(t, factor.Policy{})
	b := newTab(t, browser, ta.url)
	withAuthenticator(t, b)
	u := ta.addUser(t, "pia@example.com", false)
	ctx := context.Background()

	// Setup: the user names the passkey.
	b.login(u.Email)
	b.wantPath("/setup/offer")
	b.click("setup-start")
	b.click("add-passkey")
	b.wantPath("/setup/passkey")
	b.fill("passkey-name", "Chromium")
	b.press("passkey-create", "/setup/recovery")
	assert.Contains(t, b.text("flash"), tr("en", "flash_enabled"))
	b.codesShown()
	list, err := ta.passkeys.List(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	key := list[0]
	assert.Equal(t, "Chromium", key.Name)
	b.click("finish")
	b.wantPath("/")
	b.click("logout")

	// The second step after the password.
	b.login(u.Email)
	b.wantPath("/login/2fa")
	b.press("passkey-use", "/")
	assert.Contains(t, b.text("welcome"), "pia")
	b.click("logout")

	// Passwordless: autofill is offered in the username field, and the
	// button logs in.
	b.wantPath("/login")
	autocomplete, err := act(b, chromedp.AttributeValue(`#email`, "autocomplete"))
	require.NoError(t, err)
	assert.Equal(t, "username webauthn", autocomplete.Value, "conditional UI (autofill) markup")
	type request struct {
		Mediation        string
		UserVerification string
		AllowCredentials int
		Challenge        int
		Signal           bool
	}
	var requests []request
	for deadline := time.Now().Add(5 * time.Second); len(requests) == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		requests = eval[[]request](b, `window.passkeyRequests`)
	}
	require.Len(t, requests, 1, "the login page asks for autofill as it loads")
	assert.Equal(t, request{Mediation: "conditional", UserVerification: "required", AllowCredentials: 0, Challenge: 32, Signal: true}, requests[0],
		"autofill: any of the user's discoverable passkeys, user verification required, abortable by the button")
	b.press("passkey-signin", "/")
	assert.Contains(t, b.text("welcome"), "pia")

	// Settings: synced or device-bound, rename.
	b.open("/settings")
	assert.Equal(t, "Chromium", b.text("passkey-"+key.EnrollmentID))
	assert.Contains(t, b.text("row-"+key.EnrollmentID), tr("en", "passkey_device_bound"))
	b.fill("rename-name-"+key.EnrollmentID, "Work laptop")
	b.click("rename-" + key.EnrollmentID)
	b.wantPath("/settings")
	assert.Contains(t, b.text("flash"), tr("en", "flash_renamed"))
	assert.Equal(t, "Work laptop", b.text("passkey-"+key.EnrollmentID))

	// Removing it asks for a step-up, which the passkey itself passes.
	b.clickCSS(`#row-` + key.EnrollmentID + ` form[action="/settings/remove"] button`)
	b.wantPath("/settings/verify")
	b.press("passkey-use", "/settings")
	assert.Contains(t, b.text("flash"), tr("en", "flash_removed"))
	list, err = ta.passkeys.List(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, list)

	// The authenticator still holds the credential, but it logs nobody in.
	b.click("logout")
	b.press("passkey-signin", "/login/passkey") // the refusal's own page
	assert.Equal(t, factor.UserMessage(factor.ErrInvalidCode, "en"), b.text("error"))
	assert.False(t, strings.Contains(b.body(), "pia"), "a refused passkey names nobody")
}
