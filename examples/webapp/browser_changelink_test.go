package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// newLinkTestApp starts an app with -confirm-phone-change on an httptest
// server whose address is known before the app is built, so that the
// mailed links point at it.
func newLinkTestApp(t *testing.T) *testApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	cfg := Config{DataDir: t.TempDir(), AppName: "Twostep Test", Dev: true, ConfirmPhoneChange: true, PublicURL: base,
		BcryptCost: bcrypt.MinCost, Console: io.Discard, Logger: testLogger()}
	app, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.Now = clock.Now
	srv := httptest.NewUnstartedServer(app)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &testApp{App: app, clock: clock, srv: srv, url: base}
}

var mailedLink = regexp.MustCompile(`https?://\S+/phone/confirm\?token=\S+`)

// TestBrowserPhoneChangeByEmail walks the change of a phone number that is
// confirmed by email first: the new number is saved, the page says to
// check the email, the link from the outbox opens a page whose button
// sends the SMS code to the new number, and the code confirms it; the
// old number is gone then, and not before.
func TestBrowserPhoneChangeByEmail(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	for _, lang := range []string{"en", "nl"} {
		t.Run(lang, func(t *testing.T) {
			ta := newLinkTestApp(t)
			testPhoneChangeByEmail(t, ta, newTab(t, browser, ta.url), lang)
		})
	}
}

func testPhoneChangeByEmail(t *testing.T, ta *testApp, b *tab, lang string) {
	texts := map[string]struct{ sent, subject, button string }{
		"en": {"Check your email", "Confirm your new phone number", "Confirm and send the code"},
		"nl": {"Controleer uw e-mail", "Nieuwe telefoonnummer bevestigen", "Bevestigen en code sturen"},
	}[lang]
	u := ta.addUser(t, "caren@example.com", false)
	b.open("/lang/" + lang + "?next=/login")
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

	// Change the number: a code to the old number allows it.
	ta.clock.Add(30 * time.Second)
	b.open("/settings")
	b.clickCSS(`form[action="/settings/replace"] button`)
	b.wantPath("/settings/verify")
	b.click("send-code")
	code = outboxCode(b, "sms")
	b.open("/settings/verify")
	b.enterCode(code)
	b.wantPath("/setup/phone")
	b.fill("number", "06-87654321")
	b.click("phone-submit")
	b.wantPath(linkSentPath)
	if h := b.text("link-sent"); !strings.Contains(h, "c•••@example.com") || !strings.Contains(b.body(), texts.sent) {
		t.Fatalf("the page does not say where the link went: %s", b.body())
	}

	// The mail is in the outbox; nothing went to the new number yet.
	b.open("/dev/outbox")
	mail := eval[string](b, `document.querySelector('#outbox li[data-kind="email"]').innerText`)
	if !strings.Contains(mail, texts.subject) || strings.Contains(mail, "87654321") {
		t.Fatalf("mail: %s", mail)
	}
	if n := eval[int](b, `document.querySelectorAll('#outbox li[data-kind="sms"][data-to*="87654321"]').length`); n != 0 {
		t.Fatalf("%d texts went to the new number before the link was opened", n)
	}
	link := mailedLink.FindString(mail)
	if !strings.HasPrefix(link, ta.url+linkPath+"?token=") {
		t.Fatalf("link %q not on %s", link, ta.url)
	}

	// Opening the link twice changes nothing: only the button sends.
	b.open(strings.TrimPrefix(link, ta.url))
	b.open(strings.TrimPrefix(link, ta.url))
	b.wantPath(linkPath)
	if got := b.text("link-confirm"); got != texts.button {
		t.Fatalf("button %q", got)
	}
	b.click("link-confirm")
	b.wantPath("/setup/confirm")
	code = outboxCode(b, "sms")
	if to := eval[string](b, `document.querySelector('#outbox li[data-kind="sms"]').dataset.to`); !strings.Contains(to, "87654321") {
		t.Fatalf("the code went to %s", to)
	}
	b.open("/setup/confirm")
	b.enterCode(code)
	b.wantPath("/setup")
	methods := b.text("my-methods")
	if !strings.Contains(methods, "4321") || strings.Contains(methods, "5678") {
		t.Fatalf("methods after the change: %s", methods)
	}

	// The link works once.
	b.open(strings.TrimPrefix(link, ta.url))
	b.click("link-confirm")
	b.wantPath(linkPath)
	if !b.has("error") {
		t.Fatal("a used link shows no error")
	}
}
