package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

// a11yFlow is a flow of pages that needs an app of its own: the phone
// app, passkeys, the phone change confirmed by email, the account's
// address, a call in keypad mode, the password asked again.
type a11yFlow struct {
	name  string
	app   func(*testing.T) *testApp
	steps []a11yMoreStep
}

// a11yMoreStep is a11yStep for the flows of a11yFlows: one page (path),
// reached by its step from the page before.
type a11yMoreStep struct {
	name, path string
	do         func(*a11yMore)
}

// a11yMore is the state the steps of a flow share.
type a11yMore struct {
	*a11yRun
	phone *pushclient.Client     // the phone app
	dev   *pushclient.Registered // its registration
	link  string                 // the mailed link, without the base URL
	auth  webauthn.AuthenticatorID
}

// a11yFlows walks the pages a11ySteps cannot reach with its app.
var a11yFlows = []a11yFlow{
	{"push", func(t *testing.T) *testApp { ta, _ := newPushApp(t); return ta }, []a11yMoreStep{
		{"setup_push", "/setup/push", func(r *a11yMore) {
			r.b.login(r.user.Email)
			r.b.click("setup-start")
			r.b.click("add-push")
		}},
		{"login_push_wait", "/login/2fa", func(r *a11yMore) {
			r.registerPhone()
			r.b.codesShown()
			r.b.click("finish")
			r.b.click("logout")
			r.b.login(r.user.Email)
			r.b.click("send-push")
			require.True(r.t, r.b.has("push-number"), "the page waits for the phone")
		}},
		{"login_push_denied", "/login/2fa", func(r *a11yMore) {
			reqs, err := r.phone.Poll(r.t.Context(), r.dev, r.ta.Now())
			require.NoError(r.t, err)
			require.Len(r.t, reqs, 1)
			_, err = r.phone.Deny(r.t.Context(), r.dev, reqs[0], push.ReasonNotMe, r.ta.Now())
			require.NoError(r.t, err)
			waitText(r.t, r.b, "push-status", tr("en", "push_denied_not_me"))
		}},
	}},
	{"passkey", func(t *testing.T) *testApp { return newPasskeyApp(t, factor.Policy{}) }, []a11yMoreStep{
		{"setup_passkey", "/setup/passkey", func(r *a11yMore) {
			r.auth = withAuthenticator(r.t, r.b)
			r.b.login(r.user.Email)
			r.b.click("setup-start")
			r.b.click("add-passkey")
		}},
		{"login_passkey", "/login", func(r *a11yMore) {
			r.b.fill("passkey-name", "Chromium")
			r.b.press("passkey-create", "/setup/recovery")
			r.b.click("codes-saved")
			r.b.click("finish")
			r.b.click("logout")
		}},
		{"login_2fa_passkey", "/login/2fa", func(r *a11yMore) { r.b.login(r.user.Email) }},
		{"stepup_passkey", "/settings/verify", func(r *a11yMore) {
			r.b.press("passkey-use", "/")
			r.b.open("/settings")
			r.b.clickCSS(`form[action="/settings/remove"] button`)
		}},
		{"login_passkey_refused", "/login/passkey", func(r *a11yMore) {
			r.b.press("passkey-use", "/settings")
			r.b.click("logout")
			r.b.press("passkey-signin", "/login/passkey") // the refusal is rendered, not redirected
		}},
		{"login_passkey_cancelled", "/login/passkey", func(r *a11yMore) {
			_, err := chromedp.Call(r.b.ctx, webauthn.ClearCredentials, webauthn.ClearCredentialsParams{AuthenticatorID: r.auth})
			require.NoError(r.t, err)
			_, err = act(r.b, chromedp.Click(chromedp.ID("passkey-signin")))
			require.NoError(r.t, err)
			js := `document.querySelector("#passkey-form [data-passkey-error]:not([hidden])")?.textContent ?? ""`
			for deadline := time.Now().Add(10 * time.Second); eval[string](r.b, js) == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			}
			require.Equal(r.t, tr("en", "passkey_cancelled"), eval[string](r.b, js), "the page says no passkey was given")
		}},
	}},
	{"phone_change_by_email", newLinkTestApp, []a11yMoreStep{
		{"link_sent", linkSentPath, func(r *a11yMore) {
			r.b.login(r.user.Email)
			r.b.click("setup-start")
			r.b.click("add-sms")
			r.b.fill("number", "06-12345678")
			r.b.click("phone-submit")
			r.confirmSMS()
			r.b.codesShown()
			r.ta.clock.Add(30 * time.Second)
			r.b.open("/settings")
			r.b.clickCSS(`form[action="/settings/replace"] button`)
			r.b.click("send-code")
			code := outboxCode(r.b, "sms")
			r.b.open("/settings/verify")
			r.b.enterCode(code)
			r.b.fill("number", "06-87654321")
			r.b.click("phone-submit")
		}},
		{"link_confirm", linkPath, func(r *a11yMore) {
			r.b.open("/dev/outbox")
			mail := eval[string](r.b, `document.querySelector('#outbox li[data-kind="email"]').innerText`)
			r.link = strings.TrimPrefix(mailedLink.FindString(mail), r.ta.url)
			r.b.open(r.link)
		}},
		{"link_used", linkPath, func(r *a11yMore) {
			r.b.click("link-confirm")
			r.confirmSMS()
			r.b.open(r.link)
			r.b.click("link-confirm")
		}},
	}},
	{"account_email", func(t *testing.T) *testApp {
		return newTestAppWith(t, factor.Policy{}, func(c *Config) { c.AccountEmail = true })
	}, []a11yMoreStep{
		{"login_2fa_account_email", "/login/2fa", func(r *a11yMore) { r.b.login(r.user.Email) }},
		{"login_2fa_account_email_sent", "/login/2fa", func(r *a11yMore) { r.b.click("send-code") }},
		{"login_2fa_account_email_code_error", "/login/2fa", func(r *a11yMore) { r.b.enterCode("ZZZZZZ") }},
	}},
	{"voice_keypad", func(t *testing.T) *testApp { return newTestApp(t, factor.Policy{}) }, []a11yMoreStep{
		{"setup_confirm_keypad", "/setup/confirm", func(r *a11yMore) {
			r.b.login(r.user.Email)
			r.b.click("setup-start")
			r.b.click("add-voice")
			r.b.fill("number", "201234567")
			eval[bool](r.b, `document.getElementById("mode-keypad").checked = true`)
			r.b.click("phone-submit")
		}},
		{"login_2fa_keypad", "/login/2fa", func(r *a11yMore) {
			r.approveKeypad()
			r.b.codesShown()
			r.b.click("finish")
			r.b.click("logout")
			r.ta.clock.Add(time.Minute)
			r.b.login(r.user.Email)
			r.b.click("send-keypad")
			require.True(r.t, r.b.has("screen-digits"), "the page waits for the call")
		}},
	}},
	{"password_again", func(t *testing.T) *testApp { return newTestApp(t, factor.Policy{}) }, []a11yMoreStep{
		{"setup_password", "/setup/password", func(r *a11yMore) {
			r.b.login(r.user.Email)
			r.b.click("skip")
			r.ta.clock.Add(passwordFresh + time.Minute)
			r.b.open("/setup")
		}},
		{"setup_password_error", "/setup/password", func(r *a11yMore) {
			r.b.fill("password", "wrong-password")
			r.b.click("password-submit")
		}},
	}},
}

// registerPhone registers a phone app with the enrolment URI the page
// shows.
func (r *a11yMore) registerPhone() {
	r.t.Helper()
	inv, err := pushclient.ParseURI(eval[string](r.b, `document.getElementById("push-uri").textContent`))
	require.NoError(r.t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(r.t, err)
	r.phone = &pushclient.Client{Key: key}
	r.dev, err = r.phone.Register(r.t.Context(), inv, pushclient.AppInfo{Platform: push.PlatformOther, DeviceName: "Pia's phone"}, r.ta.Now())
	require.NoError(r.t, err)
}

// confirmSMS enters the code of the newest text in the outbox on the
// confirmation page.
func (r *a11yMore) confirmSMS() {
	r.t.Helper()
	code := outboxCode(r.b, "sms")
	r.b.open("/setup/confirm")
	r.b.enterCode(code)
}

// approveKeypad answers the call of the keypad page with its digits.
func (r *a11yMore) approveKeypad() {
	r.t.Helper()
	msgs := r.ta.outbox.Messages()
	require.NotEmpty(r.t, msgs)
	require.NoError(r.t, r.ta.m.ApproveKeypad(context.Background(), msgs[0].ChallengeID, r.b.text("screen-digits"), r.ta.Now()))
}

// TestBrowserAccessibilityMore runs axe-core's WCAG 2 A and AA rules on
// every page of a11yFlows, each flow on its own app: no violations.
func TestBrowserAccessibilityMore(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	src := axeSource(t)
	browser := startBrowser(t)
	for _, f := range a11yFlows {
		t.Run(f.name, func(t *testing.T) {
			ta := f.app(t)
			r := &a11yMore{a11yRun: &a11yRun{t: t, ta: ta, b: newTab(t, browser, ta.url)}}
			r.user = ta.addUser(t, "pia@example.com", false)
			var failed []string
			for _, s := range f.steps {
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
		})
	}
}
