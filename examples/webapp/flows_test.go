package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/twostep/twostep/factor"
	voicetwilio "github.com/twostep/twostep/voice/twilio"
)

// stepUp answers the step-up page with a fresh TOTP code.
func stepUp(t *testing.T, ta *testApp, c *client, secret []byte) (int, string) {
	t.Helper()
	_, _, body := c.get("/settings/verify")
	m := regexpFind(t, body, `name="m" value="([^"]+)"`)
	ta.clock.Add(30 * time.Second)
	code, loc, _ := c.post("/settings/verify", url.Values{"csrf": {c.csrf("/settings/verify")}, "m": {m}, "code": {totpCode(secret, ta.Now())}})
	return code, loc
}

// askedBeforeAdding opens path, a setup page that adds a method, which
// first asks a user with two-step verification for a code, and answers
// with a fresh TOTP code: the step-up leads back to path.
func askedBeforeAdding(t *testing.T, ta *testApp, c *client, secret []byte, path string) {
	t.Helper()
	if code, loc, _ := c.get(path); code != http.StatusSeeOther || loc != "/settings/verify" {
		t.Fatalf("GET %s with two-step verification on: %d %s, want the step-up page", path, code, loc)
	}
	if code, loc := stepUp(t, ta, c, secret); code != http.StatusSeeOther || loc != path {
		t.Fatalf("after the step-up for %s: %d %s", path, code, loc)
	}
}

// Turning two-step verification off needs a valid code (seed 003).
func TestDisableNeedsCode(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, secret := loggedIn(t, ta, "off@example.com", false)
	code, loc, _ := c.post("/settings/disable", url.Values{"csrf": {c.csrf("/settings")}})
	if code != http.StatusSeeOther || loc != "/settings/verify" {
		t.Fatalf("disable: %d %s, want the step-up page", code, loc)
	}
	_, _, body := c.get("/settings/verify")
	wrong := url.Values{"csrf": {c.csrf("/settings/verify")}, "m": {regexpFind(t, body, `name="m" value="([^"]+)"`)}, "code": {"000000"}}
	if _, _, body := c.post("/settings/verify", wrong); !strings.Contains(body, `id="error"`) {
		t.Fatal("a wrong code did not show an error")
	}
	if st := statusOf(t, ta, "off@example.com"); !st.Enabled {
		t.Fatal("disabled after a wrong code")
	}
	if code, loc := stepUp(t, ta, c, secret); code != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("step-up: %d %s", code, loc)
	}
	if st := statusOf(t, ta, "off@example.com"); st.Enabled || st.RecoveryCodesLeft != 0 {
		t.Fatalf("still enabled after disable: %+v", st)
	}
}

// Disabling is refused while two-step verification is required.
func TestDisableRefusedWhenRequired(t *testing.T) {
	ta := newTestApp(t, factor.Policy{Required: true})
	c, secret := loggedIn(t, ta, "req@example.com", false)
	if _, _, body := c.get("/settings"); strings.Contains(body, `id="disable"`) {
		t.Fatal("settings offer to turn off required 2FA")
	}
	c.post("/settings/disable", url.Values{"csrf": {c.csrf("/settings")}})
	stepUp(t, ta, c, secret)
	if st := statusOf(t, ta, "req@example.com"); !st.Enabled {
		t.Fatal("required 2FA was turned off")
	}
}

// Changing a phone number: a step-up, then the new number's code; the new
// number replaces the old one and takes its place (an alternate to the
// authenticator app, the user's primary).
func TestChangeNumber(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, secret := loggedIn(t, ta, "nr@example.com", false)
	askedBeforeAdding(t, ta, c, secret, "/setup/phone?kind=sms")
	addPhone(t, ta, c, "0612345678")
	old := statusOf(t, ta, "nr@example.com")
	var oldID string
	oldPrimary := true
	for _, m := range old.Enrollments {
		if m.Kind == factor.KindSMS {
			oldID, oldPrimary = m.ID, m.Primary
		}
	}
	c.post("/settings/replace", url.Values{"csrf": {c.csrf("/settings")}, "id": {oldID}})
	if code, loc := stepUp(t, ta, c, secret); loc != "/setup/phone?kind=sms" {
		t.Fatalf("after step-up: %d %s", code, loc)
	}
	if _, _, body := c.get("/setup/phone?kind=sms"); !strings.Contains(body, tr("en", "phone_replacing")) && !strings.Contains(body, tr("nl", "phone_replacing")) {
		t.Fatal("phone page does not say the number is being replaced")
	}
	addPhone(t, ta, c, "0687654321")
	st := statusOf(t, ta, "nr@example.com")
	var sms []factor.EnrollmentInfo
	for _, m := range st.Enrollments {
		if m.Kind == factor.KindSMS {
			sms = append(sms, m)
		}
	}
	if len(sms) != 1 || sms[0].ID == oldID || !strings.HasSuffix(sms[0].Masked, "4321") || sms[0].Primary != oldPrimary || oldPrimary {
		t.Fatalf("SMS methods after the change: %+v", sms)
	}
}

// A step-up that lapsed while the new number was typed asks for a code
// again, then comes back to the phone step; the number then changes.
func TestChangeNumberStepUpLapsed(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, secret := loggedIn(t, ta, "lapse@example.com", false)
	askedBeforeAdding(t, ta, c, secret, "/setup/phone?kind=sms")
	addPhone(t, ta, c, "0612345678")
	var oldID string
	for _, m := range statusOf(t, ta, "lapse@example.com").Enrollments {
		if m.Kind == factor.KindSMS {
			oldID = m.ID
		}
	}
	c.post("/settings/replace", url.Values{"csrf": {c.csrf("/settings")}, "id": {oldID}})
	if _, loc := stepUp(t, ta, c, secret); loc != "/setup/phone?kind=sms" {
		t.Fatalf("after step-up: %s", loc)
	}
	form := url.Values{"csrf": {c.csrf("/setup/phone?kind=sms")}, "kind": {"sms"}, "country": {"31"}, "number": {"0687654321"}}
	ta.clock.Add(6 * time.Minute) // past Policy.StepUpWindow while the number is typed
	if code, loc, body := c.post("/setup/phone", form); code != http.StatusSeeOther || loc != "/settings/verify" {
		t.Fatalf("new number after the step-up lapsed: %d %s, want the step-up page\n%.300s", code, loc, body)
	}
	if _, _, body := c.get("/settings/verify"); !strings.Contains(body, factor.UserMessage(factor.ErrStepUpRequired, "nl")) {
		t.Errorf("the step-up page does not say why:\n%.300s", body)
	}
	if _, loc := stepUp(t, ta, c, secret); loc != "/setup/phone?kind=sms" {
		t.Fatalf("after the second step-up: %s", loc)
	}
	addPhone(t, ta, c, "0687654321")
	var sms []factor.EnrollmentInfo
	for _, m := range statusOf(t, ta, "lapse@example.com").Enrollments {
		if m.Kind == factor.KindSMS {
			sms = append(sms, m)
		}
	}
	if len(sms) != 1 || sms[0].ID == oldID || !strings.HasSuffix(sms[0].Masked, "4321") {
		t.Fatalf("SMS methods after the change: %+v", sms)
	}
}

// addPhone enrols an SMS number through the setup pages, with the code
// from the outbox.
func addPhone(t *testing.T, ta *testApp, c *client, number string) {
	t.Helper()
	form := url.Values{"csrf": {c.csrf("/setup/phone?kind=sms")}, "kind": {"sms"}, "country": {"31"}, "number": {number}}
	if code, loc, body := c.post("/setup/phone", form); loc != "/setup/confirm" {
		t.Fatalf("phone: %d %s\n%s", code, loc, body)
	}
	code := ta.outbox.Messages()[0].Code
	if st, loc, _ := c.post("/setup/confirm", url.Values{"csrf": {c.csrf("/setup/confirm")}, "code": {code}}); loc != "/setup" {
		t.Fatalf("confirm: %d %s", st, loc)
	}
}

// The grace period: a banner with the days left and a skip button while
// skipping is allowed; afterwards setting up is the only way in.
func TestGracePeriod(t *testing.T) {
	ta := newTestApp(t, factor.Policy{Required: true, GraceDays: 14})
	ta.addUser(t, "g@example.com", false)
	c := ta.client(t)
	if loc := c.login("g@example.com"); loc != "/setup/offer" {
		t.Fatalf("login leads to %s", loc)
	}
	_, _, body := c.get("/setup/offer", "Accept-Language", "en")
	if !strings.Contains(body, `id="grace-banner"`) || !strings.Contains(body, "14 more days") || !strings.Contains(body, `id="skip"`) {
		t.Fatalf("offer page:\n%s", body)
	}
	if code, loc, _ := c.post("/setup/skip", url.Values{"csrf": {c.csrf("/setup/offer")}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("skip: %d %s", code, loc)
	}
	if _, _, body := c.get("/", "Accept-Language", "en"); !strings.Contains(body, "14 more days") {
		t.Fatal("home page has no grace banner")
	}
	ta.clock.Add(10 * 24 * time.Hour)
	c = ta.client(t)
	c.login("g@example.com")
	if _, _, body := c.get("/setup/offer", "Accept-Language", "en"); !strings.Contains(body, "4 more days") {
		t.Fatal("grace days do not count down")
	}
	ta.clock.Add(5 * 24 * time.Hour)
	c = ta.client(t)
	c.login("g@example.com")
	_, _, body = c.get("/setup/offer", "Accept-Language", "en")
	if strings.Contains(body, `id="skip"`) || !strings.Contains(body, tr("en", "grace_over")) {
		t.Fatalf("offer page after the grace period:\n%s", body)
	}
	c.post("/setup/skip", url.Values{"csrf": {c.csrf("/setup/offer")}})
	if code, loc, _ := c.get("/settings"); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("skipped in after the grace period: %d %s", code, loc)
	}
}

// Halfway through a login, a user who has two-step verification cannot
// reach the setup wizard, the settings or skip the second step.
func TestNoWayAroundSecondStep(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "h@example.com", false)
	ta.addTOTP(t, u.ID)
	c := ta.client(t)
	c.login(u.Email)
	for path, want := range map[string]string{"/setup": "/login/2fa", "/setup/totp": "/login/2fa", "/setup/phone": "/login/2fa",
		"/settings": "/login", "/": "/login", "/admin": "/login", "/setup/offer": "/login/2fa"} {
		if code, loc, _ := c.get(path); code != http.StatusSeeOther || loc != want {
			t.Errorf("GET %s halfway: %d %s, want %s", path, code, loc, want)
		}
	}
	c.post("/setup/skip", url.Values{"csrf": {c.csrf("/login/2fa")}})
	c.post("/setup/totp", url.Values{"csrf": {c.csrf("/login/2fa")}, "code": {"123456"}})
	if code, _, _ := c.get("/settings"); code == http.StatusOK {
		t.Fatal("logged in without a second step")
	}
}

// Only admins see the admin pages.
func TestAdminOnly(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, _ := loggedIn(t, ta, "plain@example.com", false)
	if code, _, _ := c.get("/admin"); code != http.StatusForbidden {
		t.Fatalf("GET /admin as a user: %d", code)
	}
	u, _ := ta.users.byEmail(context.Background(), "plain@example.com")
	if code, _, _ := c.post("/admin/reset", url.Values{"csrf": {c.csrf("/")}, "user": {u.ID}}); code != http.StatusForbidden {
		t.Fatalf("POST /admin/reset as a user: %d", code)
	}
	if st := statusOf(t, ta, "plain@example.com"); !st.Enabled {
		t.Fatal("a user reset 2FA through the admin page")
	}
}

// The keypad page polls a small JSON endpoint.
func TestChallengeStatusJSON(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	ta.addUser(t, "k@example.com", false)
	c := ta.client(t)
	c.login("k@example.com")
	form := url.Values{"csrf": {c.csrf("/setup/phone?kind=voice")}, "kind": {"voice"}, "country": {"31"}, "number": {"201234567"}, "mode": {"keypad"}}
	c.post("/setup/phone", form)
	if _, _, body := c.get("/setup/confirm/status"); strings.TrimSpace(body) != `{"state":"pending"}` {
		t.Fatalf("status = %s", body)
	}
	msg := ta.outbox.Messages()[0]
	if err := ta.m.ApproveKeypad(context.Background(), msg.ChallengeID, msg.Code, ta.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, body := c.get("/setup/confirm/status"); strings.TrimSpace(body) != `{"state":"approved"}` {
		t.Fatalf("status = %s", body)
	}
	// The user's first method turns two-step verification on: the
	// recovery codes come at once.
	if _, loc, _ := c.post("/setup/confirm", url.Values{"csrf": {c.csrf("/setup/confirm")}}); loc != "/setup/recovery?next=/setup" {
		t.Fatalf("completing the keypad call leads to %s", loc)
	}
}

// With Twilio configured, the keypad webhook is mounted and accepts only
// requests Twilio signed.
func TestTwilioKeypadWebhook(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), AppName: "T", BcryptCost: 4,
		Twilio: TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcdef", AuthToken: "secret", From: "+3197010000000", PublicURL: "https://login.example.com"}}
	app, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if app.outbox != nil {
		t.Fatal("outbox without -dev")
	}
	form := url.Values{"Digits": {"42"}}
	post := func(sig string) int {
		r, _ := http.NewRequest(http.MethodPost, "https://login.example.com"+keypadPath+"?challenge=nope", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(voicetwilio.SignatureHeader, sig)
		w := newRecorder()
		app.ServeHTTP(w, r)
		return w.Code
	}
	if code := post("forged"); code != http.StatusForbidden {
		t.Errorf("unsigned webhook: %d, want 403", code)
	}
	sig := voicetwilio.Sign("secret", "https://login.example.com"+keypadPath+"?challenge=nope", form)
	if code := post(sig); code != http.StatusNoContent {
		t.Errorf("signed webhook for an unknown challenge: %d, want 204", code)
	}

	// The delivery receipts of texts and calls are mounted with it, and
	// checked the same way.
	for _, p := range []struct{ path, field, status string }{{smsStatusPath, "MessageStatus", "undelivered"}, {callStatusPath, "CallStatus", "no-answer"}} {
		receipt := url.Values{p.field: {p.status}}
		target := "https://login.example.com" + p.path + "?challenge=nope&send=1"
		for _, tc := range []struct {
			sig  string
			want int
		}{{"forged", http.StatusForbidden}, {voicetwilio.Sign("secret", target, receipt), http.StatusNoContent}} {
			r, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(receipt.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set(voicetwilio.SignatureHeader, tc.sig)
			w := newRecorder()
			app.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("%s with signature %.8q: %d, want %d", p.path, tc.sig, w.Code, tc.want)
			}
		}
	}
}

// Flags and environment variables.
func TestParseConfig(t *testing.T) {
	env := map[string]string{"TWOSTEP_POSTGRES": "postgres://x", "SMTP_HOST": "mail", "SMTP_PORT": "2525", "SMTP_FROM": "a@b", "TWILIO_ACCOUNT_SID": "AC1"}
	cfg, err := parseConfig([]string{"-addr", ":9", "-require-from", "2026-07-01", "-grace-days", "3", "-require-activation"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9" || cfg.Postgres != "postgres://x" || cfg.SMTP.Port != 2525 || !cfg.SMTP.enabled() || cfg.Twilio.enabled() ||
		cfg.Policy.GraceDays != 3 || !cfg.Policy.RequireActivation || cfg.Policy.RequiredFrom.Format(time.DateOnly) != "2026-07-01" || !cfg.Dev {
		t.Fatalf("config %+v", cfg)
	}
	if _, err := parseConfig([]string{"-require-from", "july"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("a bad date was accepted")
	}
}

// A restart on the same data directory keeps the server keys (mode 0600),
// so sealed TOTP secrets still open; the demo accounts are seeded once.
func TestRestartKeepsKeys(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	_, secret := loggedIn(t, ta, "restart@example.com", false)
	fi, err := os.Stat(filepath.Join(ta.cfg.DataDir, "server-keys.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("server keys: %v, mode %v", err, fi.Mode())
	}
	ta.srv.Close()
	ta.App.Close()
	cfg := ta.cfg
	cfg.Demo = true
	again, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	again.Now = ta.clock.Now
	ta.App, ta.srv = again, newServer(t, again)
	loggedInAgain(t, ta, "restart@example.com", secret)
	if len(again.demo) != 0 {
		t.Fatalf("demo accounts seeded into a database with users: %+v", again.demo)
	}
}

// A refusal is shown as an error, never as a success: a second code asked
// for within the resend wait names the wait on the next page in the error
// region (role alert, the title says so), and not again as a flash.
func TestRefusalShownAsError(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, secret := loggedIn(t, ta, "wait@example.com", false)
	askedBeforeAdding(t, ta, c, secret, "/setup/phone?kind=sms")
	addPhone(t, ta, c, "0612345678")
	var smsID string
	for _, m := range statusOf(t, ta, "wait@example.com").Enrollments {
		if m.Kind == factor.KindSMS {
			smsID = m.ID
		}
	}
	c.post("/logout", url.Values{"csrf": {c.csrf("/")}})
	ta.clock.Add(time.Minute)
	if loc := c.login("wait@example.com"); loc != "/login/2fa" {
		t.Fatalf("login leads to %s", loc)
	}
	send := url.Values{"csrf": {c.csrf("/login/2fa?m=" + smsID)}, "m": {smsID}}
	c.post("/login/2fa/send", send)
	c.post("/login/2fa/send", send)
	_, _, body := c.get("/login/2fa?m=" + smsID)
	msg := regexpFind(t, body, `<p class="error" role="alert" id="error">([^<]+)</p>`)
	assert.Contains(t, strings.ToLower(msg), "30", "the error names the wait")
	assert.NotContains(t, body, `id="flash"`, "the refusal is not shown as a success too")
	assert.Contains(t, regexpFind(t, body, `<title>([^<]+)</title>`), tr("nl", "title_error"), "the title says so (the client reads Dutch)")
}

// A number shows its name, as the user gave it, wherever methods are
// listed; one method is primary.
func TestNumbersShowTheirNames(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, secret := loggedIn(t, ta, "named@example.com", false)
	askedBeforeAdding(t, ta, c, secret, "/setup/phone?kind=sms")
	form := url.Values{"csrf": {c.csrf("/setup/phone?kind=sms")}, "kind": {"sms"}, "country": {"31"}, "number": {"0612345678"}, "label": {"Werktelefoon"}}
	if _, loc, _ := c.post("/setup/phone", form); loc != "/setup/confirm" {
		t.Fatalf("phone: %s", loc)
	}
	c.post("/setup/confirm", url.Values{"csrf": {c.csrf("/setup/confirm")}, "code": {ta.outbox.Messages()[0].Code}})
	for _, path := range []string{"/settings", "/setup"} {
		_, _, body := c.get(path)
		assert.Contains(t, body, "Werktelefoon", path)
		assert.Equal(t, 1, strings.Count(body, `class="badge">`+tr("nl", "primary")), "one primary on %s", path)
	}
}
