package main

import (
	"os"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
)

// TestScreenshots saves screenshots of the main pages, for looking at the
// design: WEBAPP_SCREENSHOTS=1 go test -run TestScreenshots -v.
func TestScreenshots(t *testing.T) {
	if os.Getenv("WEBAPP_SCREENSHOTS") == "" {
		t.Skip("set WEBAPP_SCREENSHOTS=1 to save screenshots of the main pages")
	}
	browser := startBrowser(t)
	ta := newTestApp(t, factor.Policy{Required: true, GraceDays: 14})
	b := newTab(t, browser, ta.url)
	u := ta.addUser(t, "saskia@example.com", true)
	b.open("/login")
	b.screenshot("01-login")
	b.open("/signup")
	b.screenshot("02-signup")
	b.login(u.Email)
	b.screenshot("03-offer")
	b.click("setup-start")
	b.screenshot("04-setup")
	b.click("add-totp")
	b.screenshot("05-totp")
	secret := parseKeyText(t, b.text("totp-key"))
	b.fill("code", totpCode(secret, ta.Now()))
	b.click("totp-submit")
	b.screenshot("06-codes") // two-step verification is on: the codes come at once
	b.click("codes-saved")
	b.open("/setup/phone?kind=voice")
	b.screenshot("07-phone")
	b.fill("number", "612345678")
	eval[bool](b, `document.getElementById("mode-keypad").checked = true`)
	b.click("phone-submit")
	b.screenshot("08-keypad")
	b.open("/setup")
	b.click("finish")
	b.screenshot("09-home")
	b.open("/dev/outbox")
	b.screenshot("10-outbox")
	b.click("logout")
	ta.clock.Add(30 * time.Second)
	b.login(u.Email)
	b.screenshot("11-login2fa")
	b.enterCode(totpCode(secret, ta.Now()))
	b.open("/settings")
	b.screenshot("12-settings")
	b.open("/admin")
	b.screenshot("13-admin")
	b.open("/lang/nl?next=/settings")
	b.screenshot("14-settings-nl")
	b.open("/setup/phone?kind=sms")
	b.screenshot("15-phone-nl")
}
