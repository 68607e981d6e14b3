package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// TestBrowserAccountEmail: with -account-email, a user who has set up
// nothing gets codes at the account's address, with no set-up step: the
// login asks for one, the outbox has it, and it logs the user in. Once the
// user sets up an authenticator app (after a step-up with an email code),
// the address is no longer offered.
func TestBrowserAccountEmail(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browser := startBrowser(t)
	ta := newTestAppWith(t, factor.Policy{}, func(c *Config) { c.AccountEmail = true })
	b := newTab(t, browser, ta.url)
	u := ta.addUser(t, "caren@example.com", false)

	b.open("/lang/nl?next=/login")
	b.login(u.Email)
	b.wantPath("/login/2fa")
	if got := b.text("method-email"); !strings.Contains(b.body(), "c•••@example.com") || strings.Contains(b.body(), "caren@") {
		t.Fatalf("the login offers %q, not the account's address masked", got)
	}
	b.click("send-code")
	code := outboxCode(b, "email")
	msgs := ta.outbox.Messages()
	require.NotEmpty(t, msgs)
	assert.Equal(t, u.Email, msgs[0].To, "the code went to the account's address")
	assert.Contains(t, msgs[0].Subject, "Uw verificatiecode")
	b.open("/login/2fa")
	b.enterCode(code)
	b.wantPath("/")

	// Setting up an app: the email code is the step-up.
	b.open("/setup/totp")
	b.wantPath("/settings/verify")
	ta.clock.Add(31 * time.Second)
	b.click("send-code")
	code = outboxCode(b, "email")
	b.open("/settings/verify")
	b.enterCode(code)
	b.wantPath("/setup/totp")
	secret := parseKeyText(t, b.text("totp-key"))
	b.fill("code", totpCode(secret, ta.Now()))
	b.click("totp-submit")
	b.codesShown()
	st := statusOf(t, ta, u.Email)
	assert.False(t, st.AccountEmail, "the address stops as soon as another method is confirmed")
	require.Len(t, st.Offer, 1)
	assert.Equal(t, factor.KindTOTP, st.Offer[0].Kind)
}
