package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

var signupIDRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// Signing up with a taken address answers exactly as with a new one; only
// the mail differs. The new address's code creates the account (in lower
// case) and continues to the setup offer; no code creates a second
// account for the taken address.
func TestSignupDoesNotRevealAccounts(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	ta.addUser(t, "taken@example.com", false)
	signup := func(email string) (*client, int, string) {
		c := ta.client(t)
		form := url.Values{"csrf": {c.csrf("/signup")}, "name": {"N"}, "email": {email}, "password": {testPassword}, "password2": {testPassword}}
		code, _, body := c.post("/signup", form, "Accept-Language", "en")
		return c, code, body
	}
	takenClient, takenCode, takenBody := signup("taken@example.com")
	newClient, newCode, newBody := signup("New@Example.com ")
	assert.Equal(t, http.StatusOK, takenCode)
	assert.Equal(t, takenCode, newCode)
	mask := func(body, email string) string {
		return regexp.MustCompile(`value="[^"]*"|`+regexp.QuoteMeta(email)).ReplaceAllString(body, "")
	}
	assert.Equal(t, mask(takenBody, "taken@example.com"), mask(newBody, "new@example.com"), "the pages differ")

	msgs := ta.outbox.Messages() // newest first
	require.Len(t, msgs, 2)
	assert.Equal(t, "new@example.com", msgs[0].To)
	assert.NotEmpty(t, msgs[0].Code)
	assert.Equal(t, "taken@example.com", msgs[1].To)
	assert.Empty(t, msgs[1].Code, "a code for a taken address")
	assert.Contains(t, msgs[1].Text, "already have an account")

	confirm := func(c *client, body, code string) (int, string) {
		st, loc, _ := c.post("/signup/confirm", url.Values{"csrf": {c.csrf("/signup")}, "id": {signupIDRE.FindStringSubmatch(body)[1]}, "code": {code}})
		return st, loc
	}
	st, _ := confirm(takenClient, takenBody, msgs[0].Code)
	assert.Equal(t, http.StatusUnprocessableEntity, st, "another sign-up's code")
	st, loc := confirm(newClient, newBody, msgs[0].Code)
	assert.Equal(t, http.StatusSeeOther, st)
	assert.Equal(t, "/setup/offer", loc)
	u, err := ta.users.byEmail(context.Background(), "new@example.com")
	require.NoError(t, err)
	require.NotNil(t, u, "address not stored in lower case")
	_, err = ta.users.authenticate(context.Background(), "new@example.com", testPassword)
	assert.NoError(t, err)
	st, _ = confirm(ta.client(t), newBody, msgs[0].Code)
	assert.Equal(t, http.StatusUnprocessableEntity, st, "a code used twice")
}

// A pending sign-up ends after signupAttempts wrong codes: the right one
// no longer works.
func TestSignupCodeAttempts(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c := ta.client(t)
	form := url.Values{"csrf": {c.csrf("/signup")}, "name": {"N"}, "email": {"guess@example.com"}, "password": {testPassword}, "password2": {testPassword}}
	_, _, body := c.post("/signup", form)
	id := signupIDRE.FindStringSubmatch(body)[1]
	for range signupAttempts {
		st, _, page := c.post("/signup/confirm", url.Values{"csrf": {c.csrf("/signup")}, "id": {id}, "code": {"AAAAAAAAAA"}})
		require.Equal(t, http.StatusUnprocessableEntity, st)
		assert.Contains(t, page, `aria-invalid="true"`)
	}
	st, _, _ := c.post("/signup/confirm", url.Values{"csrf": {c.csrf("/signup")}, "id": {id}, "code": {ta.outbox.Messages()[0].Code}})
	assert.Equal(t, http.StatusUnprocessableEntity, st)
	u, _ := ta.users.byEmail(context.Background(), "guess@example.com")
	assert.Nil(t, u)
}

// Without a way to send email there is no sign-up.
func TestSignupClosedWithoutMail(t *testing.T) {
	ta := newTestAppWith(t, factor.Policy{}, func(c *Config) { c.Dev = false })
	code, _, _ := ta.client(t).get("/signup")
	assert.Equal(t, http.StatusNotFound, code)
}
