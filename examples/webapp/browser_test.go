package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
)

// TestBrowser drives the app with headless Chromium: one browser, one
// isolated tab per subtest, each on its own app and database.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	optional := factor.Policy{}
	for _, tc := range []struct {
		name   string
		policy factor.Policy
		run    func(*testing.T, *testApp, *tab)
	}{
		{"a_signup_totp_recovery_login", optional, testSignupTOTP},
		{"b_remember_device", optional, testRememberDevice},
		{"c_sms_via_outbox", optional, testSMS},
		{"d_recovery_code_once", optional, testRecoveryCode},
		{"e_admin_reset_activation", factor.Policy{Required: true, RequireActivation: true}, testAdminReset},
		{"f_dutch", optional, testDutch},
		{"g_voice_keypad", optional, testVoiceKeypad},
		{"h_add_method_asks_code", optional, testAddMethodAsksCode},
		{"h_admin_unlock_paged", optional, testAdminUnlock},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ta := newTestApp(t, tc.policy)
			tc.run(t, ta, newTab(t, browser, ta.url))
		})
	}
}

// (a) Sign up, enrol an authenticator app by reading the key text from the
// page, save the recovery codes, log out, log in with a TOTP code.
func testSignupTOTP(t *testing.T, ta *testApp, b *tab) {
	b.open("/signup")
	b.fill("name", "Ada")
	b.fill("email", "ada@example.com")
	b.fill("password", testPassword)
	b.fill("password2", testPassword)
	b.click("signup-submit")
	b.wantPath("/signup") // the code mailed to the address
	b.fill("code", ta.outbox.Messages()[0].Code)
	b.click("signup-code-submit")
	b.wantPath("/setup/offer")
	b.click("setup-start")
	b.wantPath("/setup")
	b.click("add-totp")
	b.wantPath("/setup/totp")
	if src := eval[string](b, `document.getElementById("totp-qr").src`); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("QR src = %.40q", src)
	}
	secret := parseKeyText(t, b.text("totp-key"))
	b.fill("code", totpCode(secret, ta.Now()))
	b.click("totp-submit")
	b.codesShown() // two-step verification is on: the codes come at once
	b.click("finish")
	b.wantPath("/")
	if !b.has("twofa-on") {
		t.Fatalf("home page does not say 2FA is on: %s", b.body())
	}
	b.click("logout")
	b.wantPath("/login")

	b.login("ada@example.com")
	b.wantPath("/login/2fa")
	ta.clock.Add(30 * time.Second) // a new code: the last one was used
	b.enterCode(totpCode(secret, ta.Now()))
	b.wantPath("/")
	if !strings.Contains(b.text("welcome"), "Ada") {
		t.Fatalf("welcome = %q", b.text("welcome"))
	}
}

// (b) "Remember this device: 1 day": the next login needs no code; a day
// later (on the app's clock) the code is asked again.
func testRememberDevice(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "bea@example.com", false)
	_, secret := ta.addTOTP(t, u.ID)
	b.login(u.Email)
	b.wantPath("/login/2fa")
	ta.clock.Add(30 * time.Second)
	b.fill("remember", (24 * time.Hour).String())
	b.enterCode(totpCode(secret, ta.Now()))
	b.wantPath("/")
	b.click("logout")

	ta.clock.Add(time.Hour)
	b.login(u.Email)
	b.wantPath("/") // remembered: no code asked
	b.open("/settings")
	if !strings.Contains(b.text("devices"), tr("en", "this_device")) {
		t.Fatalf("settings do not list this device: %s", b.text("devices"))
	}
	b.click("logout")

	ta.clock.Add(24 * time.Hour)
	b.login(u.Email)
	b.wantPath("/login/2fa")
}

// (c) Enrol a phone for SMS, read the code from the outbox page, then log
// in with an SMS code read from the outbox again.
func testSMS(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "cas@example.com", false)
	b.login(u.Email)
	b.wantPath("/setup/offer")
	b.click("setup-start")
	b.click("add-sms")
	b.fill("number", "06-12345678")
	b.click("phone-submit")
	b.wantPath("/setup/confirm")
	code := outboxCode(b, "sms")
	b.open("/setup/confirm")
	b.enterCode(code)
	b.codesShown()
	if !strings.Contains(b.text("my-methods"), "5678") {
		t.Fatalf("methods: %s", b.text("my-methods"))
	}
	b.click("finish")
	b.click("logout")

	// A new code for the same number waits Codes.ResendAfter (30 s) after
	// the last one, whatever the challenge.
	ta.clock.Add(30 * time.Second)
	b.login(u.Email)
	b.wantPath("/login/2fa")
	b.click("send-code")
	code = outboxCode(b, "sms")
	b.open("/login/2fa")
	b.enterCode(code)
	b.wantPath("/")
}

// outboxCode reads the newest code of a kind from the outbox page.
func outboxCode(b *tab, kind string) string {
	b.t.Helper()
	b.open("/dev/outbox")
	// The newest message of the kind that carries a code: notices of a
	// change carry none.
	code := eval[string](b, `(document.querySelector('#outbox li[data-kind="`+kind+`"]:not([data-code=""])') || {dataset: {}}).dataset.code || ""`)
	if code == "" {
		b.t.Fatalf("no %s in the outbox: %s", kind, b.body())
	}
	return code
}

// (d) Log in with a recovery code; the same code fails the next time.
func testRecoveryCode(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "dirk@example.com", false)
	ta.addTOTP(t, u.ID)
	codes, err := ta.codes.Generate(context.Background(), u.ID, ta.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.login(u.Email)
	b.click("use-recovery")
	b.fill("recovery-code", strings.ToLower(codes[3]))
	b.click("recovery-submit")
	b.wantPath("/")
	if !strings.Contains(b.text("flash"), "9") {
		t.Fatalf("flash = %q, want 9 codes left", b.text("flash"))
	}
	b.click("logout")

	b.login(u.Email)
	b.click("use-recovery")
	b.fill("recovery-code", codes[3])
	b.click("recovery-submit")
	b.wantPath("/login/recovery")
	if want := factor.UserMessage(factor.ErrInvalidCode, "en"); b.text("error") != want {
		t.Fatalf("error = %q, want %q", b.text("error"), want)
	}
}

// (e) An admin resets a user's two-step verification with a fresh
// activation code; the user must enrol again and needs the code for it.
func testAdminReset(t *testing.T, ta *testApp, b *tab) {
	admin := ta.addUser(t, "admin@example.com", true)
	user := ta.addUser(t, "eva@example.com", false)
	_, adminSecret := ta.activateTOTP(t, admin.ID)
	ta.activateTOTP(t, user.ID)

	b.login(admin.Email)
	ta.clock.Add(30 * time.Second)
	b.enterCode(totpCode(adminSecret, ta.Now()))
	b.click("nav-admin")
	row := `tr[data-email="eva@example.com"]`
	if got := eval[string](b, `document.querySelector('`+row+` .twofa').innerText`); got != "yes" {
		t.Fatalf("2FA active = %q before the reset", got)
	}
	b.clickCSS(row + " a.reset")
	b.wantPath("/admin/reset") // asks for confirmation and a reason
	if !strings.Contains(b.text("reset-confirm"), "eva@example.com") || !eval[bool](b, `document.getElementById("reset-reason").required`) {
		t.Fatalf("the confirmation does not name the user or need a reason: %s", b.body())
	}
	b.fill("reset-reason", "lost phone, ticket 4711")
	b.click("reset-confirm")
	b.wantPath("/admin")
	activation := b.text("activation-code")
	if got := eval[string](b, `document.querySelector('`+row+` .twofa').innerText`); got != "no" {
		t.Fatalf("2FA active = %q after the reset", got)
	}
	b.click("logout")

	b.login(user.Email)
	b.wantPath("/setup/offer")
	if b.has("skip") {
		t.Fatal("skipping offered although 2FA is required without grace days")
	}
	b.click("setup-start")
	b.wantPath("/setup/activate")
	b.fill("activation", "AAAA-BBBB-CCCC")
	b.click("activate-submit")
	if !b.has("error") {
		t.Fatal("a wrong activation code was accepted")
	}
	b.fill("activation", activation)
	b.click("activate-submit")
	b.wantPath("/setup")
	b.click("add-totp")
	secret := parseKeyText(t, b.text("totp-key"))
	b.fill("code", totpCode(secret, ta.Now()))
	b.click("totp-submit")
	b.codesShown()
	b.click("finish")
	b.wantPath("/")
}

// (h) The admin page lists users a page at a time; a user on the second
// page who failed too many codes shows as locked, and the admin unlocks
// the user with a reason.
func testAdminUnlock(t *testing.T, ta *testApp, b *tab) {
	ctx := context.Background()
	admin := ta.addUser(t, "admin@example.com", true)
	_, adminSecret := ta.addTOTP(t, admin.ID)
	for i := range adminPageSize {
		ta.addUser(t, fmt.Sprintf("user%02d@example.com", i), false)
	}
	zoe := ta.addUser(t, "zoe@example.com", false)
	enrollment, secret := ta.addTOTP(t, zoe.ID)
	wrong := wrongTOTP(secret, ta.Now())
	var locked *factor.LockedError
	for range 20 {
		_, err := ta.m.Verify(ctx, factor.Answer{UserID: zoe.ID, EnrollmentID: enrollment, Code: wrong}, ta.Now())
		if errors.As(err, &locked) {
			break
		}
	}
	if locked == nil {
		t.Fatal("zoe was not locked after 20 wrong codes")
	}

	b.login(admin.Email)
	ta.clock.Add(30 * time.Second)
	b.enterCode(totpCode(adminSecret, ta.Now()))
	b.click("nav-admin")
	row := `tr[data-email="zoe@example.com"]`
	if b.text("page-of") != "Page 1 of 2" || eval[bool](b, `document.querySelector('`+row+`') !== null`) {
		t.Fatalf("page 1 (%q) lists zoe, who sorts last", b.text("page-of"))
	}
	b.click("page-next")
	lock := eval[string](b, `document.querySelector('`+row+` .lock').innerText`)
	if want := "until " + formatDate("en", locked.Until); lock != want {
		t.Fatalf("zoe's lock shows %q, want %q", lock, want)
	}
	eval[string](b, `document.querySelector('`+row+` input.unlock-reason').value = "called the service desk"`)
	b.clickCSS(row + " button.unlock")
	if got := eval[string](b, `location.pathname + location.search`); got != "/admin?page=2" {
		t.Fatalf("after the unlock the admin is on %s", got)
	}
	if lock := eval[string](b, `document.querySelector('`+row+` .lock').innerText`); lock != "no" {
		t.Fatalf("zoe's lock shows %q after the unlock", lock)
	}
	if eval[bool](b, `document.querySelector('`+row+` button.unlock') !== null`) {
		t.Fatal("an unlock is still offered")
	}
	if _, err := ta.m.Verify(ctx, factor.Answer{UserID: zoe.ID, EnrollmentID: enrollment, Code: totpCode(secret, ta.Now())}, ta.Now()); err != nil {
		t.Fatalf("zoe's right code after the unlock: %v", err)
	}
}

// wrongTOTP returns a code that no step from one before now to one after
// accepts.
func wrongTOTP(secret []byte, now time.Time) string {
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		if c != totpCode(secret, now.Add(-30*time.Second)) && c != totpCode(secret, now) && c != totpCode(secret, now.Add(30*time.Second)) {
			return c
		}
	}
}

// activateTOTP gives a user an authenticator app under a policy that
// requires activation codes.
func (ta *testApp) activateTOTP(t *testing.T, userID string) (string, []byte) {
	ctx := context.Background()
	code, err := ta.m.IssueActivationCode(ctx, userID, "test", ta.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.m.Activate(ctx, userID, code, ta.Now()); err != nil {
		t.Fatal(err)
	}
	return ta.addTOTP(t, userID)
}

// (f) The Dutch pages show Dutch text, also twostep's own messages.
func testDutch(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "fenna@example.com", false)
	ta.addTOTP(t, u.ID)
	b.open("/lang/nl?next=/login")
	if got := eval[string](b, `document.documentElement.lang`); got != "nl" {
		t.Fatalf("lang = %q", got)
	}
	if h := eval[string](b, `document.querySelector("h1").innerText`); h != "Inloggen" {
		t.Fatalf("h1 = %q", h)
	}
	b.login(u.Email)
	b.wantPath("/login/2fa")
	if h := eval[string](b, `document.querySelector("h1").innerText`); h != "Tweestapsverificatie" {
		t.Fatalf("h1 = %q", h)
	}
	b.enterCode("000000")
	if got := b.text("error"); got != "De code is onjuist of verlopen. Probeer het opnieuw." {
		t.Fatalf("error = %q", got)
	}
	if !strings.Contains(b.body(), "Telefoon kwijt? Gebruik een herstelcode") {
		t.Fatalf("page is not Dutch: %s", b.body())
	}
}

// (g) A voice call in keypad mode: the page shows two digits and polls;
// when the call is answered with them, the page goes on by itself.
func testVoiceKeypad(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "gijs@example.com", false)
	b.login(u.Email)
	b.click("setup-start")
	b.click("add-voice")
	b.fill("number", "201234567")
	eval[bool](b, `document.getElementById("mode-keypad").checked = true`)
	b.click("phone-submit")
	b.wantPath("/setup/confirm")
	digits := b.text("screen-digits")
	msgs := ta.outbox.Messages()
	if len(msgs) == 0 || !msgs[0].Keypad || msgs[0].Code != digits {
		t.Fatalf("outbox = %+v, screen shows %q", msgs, digits)
	}
	if strings.Contains(msgs[0].Text, digits) {
		t.Fatalf("the call's script gives the digits away: %q", msgs[0].Text)
	}
	// The phone: the user types the digits, the provider calls back.
	if err := ta.m.ApproveKeypad(context.Background(), msgs[0].ChallengeID, digits, ta.Now()); err != nil {
		t.Fatal(err)
	}
	b.codesShown()
	if !strings.Contains(b.text("my-methods"), "4567") {
		t.Fatalf("methods: %s", b.text("my-methods"))
	}
}

// (h) With two-step verification on, adding a method from the settings
// first asks for a code: the phone form appears only after a right one,
// and the next method asks again.
func testAddMethodAsksCode(t *testing.T, ta *testApp, b *tab) {
	u := ta.addUser(t, "hugo@example.com", false)
	_, secret := ta.addTOTP(t, u.ID)
	b.login(u.Email)
	ta.clock.Add(30 * time.Second)
	b.enterCode(totpCode(secret, ta.Now()))
	b.wantPath("/")

	b.open("/settings")
	b.click("add-method")
	b.wantPath("/setup")
	b.click("add-sms")
	b.wantPath("/settings/verify")
	if h := eval[string](b, `document.querySelector("h1").innerText`); h != tr("en", "step_title") {
		t.Fatalf("h1 = %q, want the step-up prompt", h)
	}
	if b.has("number") {
		t.Fatal("the phone form is shown before the code")
	}
	b.enterCode("000000")
	b.wantPath("/settings/verify")
	if !b.has("error") {
		t.Fatal("a wrong code shows no error")
	}
	ta.clock.Add(30 * time.Second)
	b.enterCode(totpCode(secret, ta.Now()))
	b.wantPath("/setup/phone")
	b.fill("number", "06-12345678")
	b.click("phone-submit")
	b.wantPath("/setup/confirm")
	code := outboxCode(b, "sms")
	b.open("/setup/confirm")
	b.enterCode(code)
	b.wantPath("/setup")
	if !strings.Contains(b.text("my-methods"), "5678") {
		t.Fatalf("methods: %s", b.text("my-methods"))
	}

	// The code allowed one new method; the next asks again.
	b.click("add-totp")
	b.wantPath("/settings/verify")
}
