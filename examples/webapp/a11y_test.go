package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/twostep/twostep/factor"
)

// axePath is axe-core as `npm ci` installs it from package-lock.json.
var axePath = filepath.Join("node_modules", "axe-core", "axe.min.js")

// axeTags are the rule sets checked: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]`

// axeSource reads axe-core, or skips the test without it (fails it when
// TWOSTEP_REQUIRE_SERVICES=1, as in CI).
func axeSource(t *testing.T) string {
	b, err := os.ReadFile(axePath)
	if err != nil {
		msg := fmt.Sprintf("axe-core not installed (%v); run `npm ci` in examples/webapp", err)
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return string(b)
}

// axeViolation is what the test reports of one failed rule.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axe runs axe-core on the tab's page and returns the violations as text,
// one line each; empty when there are none.
func (b *tab) axe(src string) []string {
	b.t.Helper()
	if _, err := act(b, chromedp.Evaluate[chromedp.Void](src+"\n;void 0")); err != nil {
		b.t.Fatalf("inject axe-core: %v", err)
	}
	js := `axe.run(document, {runOnly: {type: "tag", values: ` + axeTags + `}}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))}))))`
	out, err := act(b, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe.run: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		b.t.Fatalf("axe result %q: %v", out, err)
	}
	var lines []string
	for _, v := range vs {
		lines = append(lines, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", ")))
	}
	return lines
}

// a11yStep is one page of a flow (path), reached by its step from the page
// before, and checked with axe-core. Pages added to the app
// get a step here.
type a11yStep struct {
	name, path string
	do         func(*a11yRun)
}

// a11yRun is the state the steps share.
type a11yRun struct {
	t       *testing.T
	ta      *testApp
	b       *tab
	admin   *User
	secret  []byte // the admin's authenticator app
	user    *User
	userKey []byte // the user's authenticator app
}

// a11ySteps walks every flow the test can reach: signing up, the password
// login, the setup with an activation code, the second step, settings,
// the admin pages and the outbox.
var a11ySteps = []a11yStep{
	{"login", "/login", func(r *a11yRun) { r.b.open("/login") }},
	{"login_error", "/login", func(r *a11yRun) {
		r.b.fill("email", "nobody@example.com")
		r.b.fill("password", "wrong-password")
		r.b.click("login-submit")
	}},
	{"signup", "/signup", func(r *a11yRun) { r.b.open("/signup") }},
	{"signup_problems", "/signup", func(r *a11yRun) {
		r.b.fill("name", "Sam")
		r.b.fill("email", "sam@example.com")
		r.b.fill("password", "short-password")
		r.b.fill("password2", "short-password")
		r.b.click("signup-submit")
		if got := eval[string](r.b, `document.activeElement.id`); got != "problems" {
			r.t.Errorf("the sign-up problems do not take the focus: %q has it", got)
		}
	}},
	{"signup_code", "/signup", func(r *a11yRun) {
		r.b.fill("name", "Sam")
		r.b.fill("email", "sam@example.com")
		r.b.fill("password", testPassword)
		r.b.fill("password2", testPassword)
		r.b.click("signup-submit")
	}},
	{"signup_code_error", "/signup/confirm", func(r *a11yRun) { r.b.fill("code", "WRONGCODE0"); r.b.click("signup-code-submit") }},
	{"not_found", "/no-such-page", func(r *a11yRun) { r.b.open("/no-such-page") }},
	{"setup_offer", "/setup/offer", func(r *a11yRun) { r.b.login(r.user.Email) }},
	{"setup_activate", "/setup/activate", func(r *a11yRun) { r.b.click("setup-start") }},
	{"setup_activate_error", "/setup/activate", func(r *a11yRun) { r.b.fill("activation", "AAAA-BBBB-CCCC"); r.b.click("activate-submit") }},
	{"setup_no_activation", "/setup/activate/none", func(r *a11yRun) { r.b.click("no-activation") }},
	{"setup_choose", "/setup", func(r *a11yRun) {
		r.b.click("have-code")
		code, err := r.ta.m.IssueActivationCode(r.t.Context(), r.user.ID, r.admin.ID, r.ta.Now())
		if err != nil {
			r.t.Fatal(err)
		}
		r.b.fill("activation", code)
		r.b.click("activate-submit")
	}},
	{"setup_phone", "/setup/phone", func(r *a11yRun) { r.b.open("/setup/phone?kind=sms") }},
	{"setup_totp", "/setup/totp", func(r *a11yRun) { r.b.open("/setup/totp") }},
	{"setup_totp_error", "/setup/totp", func(r *a11yRun) {
		r.userKey = parseKeyText(r.t, r.b.text("totp-key"))
		r.b.fill("code", wrongTOTP(r.userKey, r.ta.Now()))
		r.b.click("totp-submit")
	}},
	{"recovery_codes", "/setup/recovery", func(r *a11yRun) { r.b.fill("code", totpCode(r.userKey, r.ta.Now())); r.b.click("totp-submit") }},
	{"setup_done", "/setup", func(r *a11yRun) { r.b.click("codes-saved") }},
	{"home", "/", func(r *a11yRun) { r.b.open("/setup"); r.b.click("finish") }},
	{"settings", "/settings", func(r *a11yRun) { r.b.open("/settings") }},
	{"login_2fa", "/login/2fa", func(r *a11yRun) { r.b.click("logout"); r.b.login(r.user.Email) }},
	{"login_2fa_error", "/login/2fa", func(r *a11yRun) { r.b.enterCode(wrongTOTP(r.userKey, r.ta.Now())) }},
	{"login_recovery", "/login/recovery", func(r *a11yRun) { r.b.open("/login/recovery") }},
	{"admin", "/admin", func(r *a11yRun) {
		r.b.click("logout")
		r.b.login(r.admin.Email)
		r.ta.clock.Add(30 * time.Second)
		r.b.enterCode(totpCode(r.secret, r.ta.Now()))
		r.b.open("/admin")
	}},
	{"admin_reset", "/admin/reset", func(r *a11yRun) { r.b.clickCSS(`tr[data-email="` + r.user.Email + `"] a.reset`) }},
	{"outbox", "/dev/outbox", func(r *a11yRun) { r.b.open("/dev/outbox") }},
	{"stepup", "/settings/verify", func(r *a11yRun) { r.b.open("/setup/phone?kind=sms") }},
	{"stepup_code_error", "/settings/verify", func(r *a11yRun) { r.b.enterCode(wrongTOTP(r.secret, r.ta.Now())) }},
	{"setup_phone_after_stepup", "/setup/phone", func(r *a11yRun) {
		r.ta.clock.Add(30 * time.Second)
		r.b.enterCode(totpCode(r.secret, r.ta.Now()))
	}},
	{"setup_confirm", "/setup/confirm", func(r *a11yRun) { r.b.fill("number", "0612345678"); r.b.click("phone-submit") }},
	{"setup_confirm_code_error", "/setup/confirm", func(r *a11yRun) {
		wrong := "000000"
		if r.ta.outbox.Messages()[0].Code == wrong {
			wrong = "111111"
		}
		r.b.enterCode(wrong)
	}},
}

// TestBrowserAccessibility runs axe-core's WCAG 2 A and AA rules on every
// page of a11ySteps: no violations.
func TestBrowserAccessibility(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	src := axeSource(t)
	browser := startBrowser(t)
	ta := newTestApp(t, factor.Policy{RequireActivation: true})
	r := &a11yRun{t: t, ta: ta, b: newTab(t, browser, ta.url)}
	r.admin = ta.addUser(t, "admin@example.com", true)
	_, r.secret = ta.activateTOTP(t, r.admin.ID)
	r.user = ta.addUser(t, "nia@example.com", false)
	var failed []string
	for _, s := range a11ySteps {
		s.do(r)
		r.b.wantPath(s.path)
		r.checkError(s.name)
		for _, v := range r.b.axe(src) {
			failed = append(failed, s.name+" "+r.b.path()+": "+v)
		}
	}
	if len(failed) > 0 {
		t.Fatalf("%d accessibility violations:\n%s", len(failed), strings.Join(failed, "\n"))
	}
}

// checkError: a page that shows an error says so in its title, and a code
// field that was filled in wrongly is marked invalid, described by the
// error and focused.
func (r *a11yRun) checkError(name string) {
	r.t.Helper()
	if !r.b.has("error") {
		return
	}
	if title := eval[string](r.b, `document.title`); !strings.HasPrefix(title, tr("en", "title_error")+": ") {
		r.t.Errorf("%s: the title %q does not say there is an error", name, title)
	}
	if !strings.Contains(name, "code") && !strings.Contains(name, "2fa") && !strings.Contains(name, "totp") && !strings.Contains(name, "activate") {
		return
	}
	js := `(f => f !== null && f.getAttribute("aria-invalid") === "true" && f === document.activeElement)(document.querySelector("input.code"))`
	if !eval[bool](r.b, js) {
		r.t.Errorf("%s: the code field is not marked invalid and focused", name)
	}
}
