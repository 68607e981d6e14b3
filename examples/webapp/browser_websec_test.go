package main

import (
	"github.com/twostep/twostep/factor"

	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWebsec drives the ways in and the guards of the app with
// headless Chromium: the first admin's activation code, redirects that
// stay on the site, Back after an authenticator app, an expired session.
func TestBrowserWebsec(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		run  func(*testing.T, *testApp, *tab)
	}{
		{"first_admin_bootstraps_activation", func(c *Config) { c.Demo, c.Policy = true, activationOnly }, testFirstAdminBootstrap},
		{"redirect_stays_on_site", func(*Config) {}, testRedirectStaysOnSite},
		{"back_after_totp_no_new_key", func(*Config) {}, testBackAfterTOTP},
		{"expired_session_says_so", func(*Config) {}, testExpiredSession},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ta := newTestAppWith(t, factor.Policy{}, tc.cfg)
			tc.run(t, ta, newTab(t, browser, ta.url))
		})
	}
}

// With activation codes required and no grace days, the demo admin uses
// the activation code printed at start, sets up an authenticator app and
// issues the demo user's first activation code on the admin page.
func testFirstAdminBootstrap(t *testing.T, ta *testApp, b *tab) {
	admin, user := ta.demo[0], ta.demo[1]
	if admin.Activation == "" {
		t.Fatal("no activation code printed for the first admin")
	}
	b.open("/login")
	b.fill("email", admin.Email)
	b.fill("password", admin.Password)
	b.click("login-submit")
	b.wantPath("/setup/offer")
	if b.has("skip") {
		t.Fatal("skipping offered without grace days")
	}
	b.click("setup-start")
	b.wantPath("/setup/activate")
	b.click("no-activation")
	b.wantPath("/setup/activate/none")
	if !b.has("no-activation-screen") || !strings.Contains(b.body(), tr("en", "noact_who")) {
		t.Fatalf("the no-code screen says: %s", b.body())
	}
	b.click("have-code")
	b.wantPath("/setup/activate")
	b.fill("activation", admin.Activation)
	b.click("activate-submit")
	b.wantPath("/setup")
	b.click("add-totp")
	secret := parseKeyText(t, b.text("totp-key"))
	b.fill("code", totpCode(secret, ta.Now()))
	b.click("totp-submit")
	b.codesShown()
	b.click("finish")
	b.wantPath("/")
	b.click("nav-admin")
	b.wantPath("/admin")
	b.clickCSS(`tr[data-email="` + user.Email + `"] button.issue`)
	b.wantPath("/admin")
	if code := b.text("activation-code"); len(strings.ReplaceAll(code, "-", "")) != 12 {
		t.Fatalf("issued code %q", code)
	}
}

// The language switch with a next that a browser would read as another
// host ("/./\evil.example") leaves the browser on this site.
func testRedirectStaysOnSite(t *testing.T, ta *testApp, b *tab) {
	base, _ := url.Parse(ta.url)
	for _, next := range []string{"/./%5Cevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "https:evil.example", "/%09/evil.example"} {
		if _, err := act(b, chromedp.Navigate(ta.url+"/lang/en?next="+next)); err != nil {
			t.Fatalf("next=%s: %v", next, err)
		}
		if host := eval[string](b, `location.host`); host != base.Host {
			t.Fatalf("next=%s led the browser to %s", next, host)
		}
	}
}

// Back after confirming an authenticator app leads to the choice of
// methods, not to a new key; the user keeps one app and nothing pending.
func testBackAfterTOTP(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "back@example.com", false)
	b.login(u.Email)
	b.wantPath("/setup/offer")
	b.click("setup-start")
	b.click("add-totp")
	b.wantPath("/setup/totp")
	secret := parseKeyText(t, b.text("totp-key"))
	b.fill("code", totpCode(secret, ta.Now()))
	b.click("totp-submit")
	b.waitPath("/setup/recovery") // two-step verification is on: the codes come at once
	if _, err := act(b, waitPage(chromedp.NavigateBack())); err != nil {
		t.Fatal(err)
	}
	b.wantPath("/setup")
	if b.has("totp-key") || !strings.Contains(b.text("flash"), tr("en", "flash_app_done")) {
		t.Fatalf("Back after the confirmation shows: %s", b.body())
	}
	st := statusOf(t, ta, u.Email)
	if len(st.Enrollments) != 1 || !st.Enrollments[0].Confirmed {
		t.Fatalf("enrollments after Back: %+v", st.Enrollments)
	}
	ta.clock.Add(30 * time.Second)
	b.click("add-totp") // another app is still possible, after a code
	b.wantPath(stepUpStep.prefix)
}

// A session that ends while the browser is away says so on the login
// page.
func testExpiredSession(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "idle@example.com", false)
	b.login(u.Email)
	b.click("skip")
	b.wantPath("/")
	ta.clock.Add(idleTimeout + time.Minute)
	b.open("/settings")
	b.wantPath("/login")
	if got := b.text("flash"); got != tr("en", "flash_session_expired") {
		t.Fatalf("the login page says %q", got)
	}
	b.open("/login") // said once
	if b.has("flash") {
		t.Fatalf("the message shows twice: %s", b.body())
	}
}
