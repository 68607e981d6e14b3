package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// methodCount is how many methods, confirmed or pending, the user has.
func methodCount(t *testing.T, ta *testApp, email string) int {
	t.Helper()
	return len(statusOf(t, ta, email).Enrollments)
}

// session returns a copy of c's server-side session.
func (c *client) session(ta *testApp) *Session {
	c.t.Helper()
	u, err := url.Parse(c.base)
	require.NoError(c.t, err)
	for _, k := range c.hc.Jar.Cookies(u) {
		if k.Name == "webapp-session" {
			sess, ok := ta.sessions.get(k.Value)
			require.True(c.t, ok, "the client's session is not live")
			return sess
		}
	}
	c.t.Fatal("the client has no session cookie")
	return nil
}

// setGrant puts a step-up grant into c's session, as a bug that mixed up
// sessions would, and reports it valid for another minute.
func (c *client) setGrant(ta *testApp, token string) {
	c.t.Helper()
	sess := c.session(ta)
	sess.StepUp = &stepUpGrant{Token: token, Expires: ta.Now().Add(time.Minute)}
	require.True(c.t, ta.sessions.save(sess))
}

// postPhone posts the phone step with number and returns where it leads.
func postPhone(t *testing.T, c *client, csrf, number string) string {
	t.Helper()
	_, loc, _ := c.post("/setup/phone", url.Values{"csrf": {csrf}, "kind": {"sms"}, "country": {"31"}, "number": {number}})
	return loc
}

// Every page that adds a method asks a user with two-step verification
// for a code first, also when it is opened directly or its form is posted
// without one; after a right code the method is added, and the next
// method needs a code again. The overview of methods asks nothing.
func TestAddMethodAsksForCode(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, secret := loggedIn(t, ta, "add@example.com", false)
	code, _, body := c.get("/setup")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `id="add-sms"`)

	for _, path := range []string{"/setup/totp", "/setup/totp?new=1", "/setup/phone?kind=sms", "/setup/phone?kind=voice", "/setup/email"} {
		code, loc, _ := c.get(path)
		assert.Equal(t, http.StatusSeeOther, code, "GET %s", path)
		assert.Equal(t, "/settings/verify", loc, "GET %s", path)
	}
	csrf := c.csrf("/settings")
	assert.Equal(t, "/settings/verify", postPhone(t, c, csrf, "0612345678"), "phone form posted without a step-up")
	_, loc, _ := c.post("/setup/email", url.Values{"csrf": {csrf}, "email": {"add@example.com"}})
	assert.Equal(t, "/settings/verify", loc, "email form posted without a step-up")
	assert.Equal(t, 1, methodCount(t, ta, "add@example.com"), "a method was added without a step-up")
	for _, msg := range ta.outbox.Messages() {
		assert.Empty(t, msg.Code, "a code went out without a step-up (only notices may)")
	}

	// A wrong code adds nothing and asks again.
	c.get("/setup/totp")
	_, _, body = c.get("/settings/verify")
	wrong := url.Values{"csrf": {c.csrf("/settings/verify")}, "m": {regexpFind(t, body, `name="m" value="([^"]+)"`)}, "code": {"000000"}}
	_, _, body = c.post("/settings/verify", wrong)
	require.Contains(t, body, `id="error"`)
	code, loc, _ = c.get("/setup/totp")
	assert.Equal(t, "/settings/verify", loc, "GET /setup/totp after a wrong code: %d", code)

	// A right code leads back to the page, which adds the method.
	askedBeforeAdding(t, ta, c, secret, "/setup/phone?kind=sms")
	addPhone(t, ta, c, "0612345678")
	assert.Nil(t, c.session(ta).StepUp, "the grant outlived its use")
	assert.Equal(t, 2, methodCount(t, ta, "add@example.com"))

	// The grant was used up: the next method asks again.
	code, loc, _ = c.get("/setup/totp")
	assert.Equal(t, "/settings/verify", loc, "GET /setup/totp after adding a method: %d", code)
	askedBeforeAdding(t, ta, c, secret, "/setup/totp")
	code, _, body = c.get("/setup/totp")
	require.Equal(t, http.StatusOK, code)
	assert.Nil(t, c.session(ta).StepUp, "the grant outlived its use")
	key := parseKeyText(t, regexpFind(t, body, `id="totp-key"[^>]*>([^<]+)<`))
	ta.clock.Add(30 * time.Second)
	_, loc, _ = c.post("/setup/totp", url.Values{"csrf": {c.csrf("/setup/totp")}, "code": {totpCode(key, ta.Now())}})
	require.Equal(t, "/setup", loc)
	assert.Equal(t, 3, methodCount(t, ta, "add@example.com"))
}

// A user without two-step verification adds the first method without a
// step-up: there is nothing to step up with.
func TestFirstMethodNeedsNoStepUp(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	ta.addUser(t, "first@example.com", false)
	c := ta.client(t)
	require.Equal(t, "/setup/offer", c.login("first@example.com"))
	for _, path := range []string{"/setup/totp", "/setup/phone?kind=sms", "/setup/email"} {
		code, loc, _ := c.get(path)
		assert.Equal(t, http.StatusOK, code, "GET %s: %s", path, loc)
	}
}

// The step-up grant belongs to the session that passed the step-up: a
// second session of the same user, another user's grant, a tampered and
// an expired grant unlock nothing; the grant of the session itself does.
func TestStepUpGrantPerSession(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	a, secret := loggedIn(t, ta, "pat@example.com", false)
	const email = "pat@example.com"
	u, err := ta.users.byEmail(context.Background(), email)
	require.NoError(t, err)
	b := ta.client(t)
	loggedInAgainAs(t, ta, b, email, secret)

	// Session a steps up to add a number; session b, a moment later, has
	// nothing to show for it.
	askedBeforeAdding(t, ta, a, secret, "/setup/phone?kind=sms")
	require.NotNil(t, a.session(ta).StepUp)
	assert.Nil(t, b.session(ta).StepUp)
	assert.Equal(t, "/settings/verify", postPhone(t, b, b.csrf("/settings"), "0611111111"), "session b added a number on session a's step-up")
	_, err = ta.m.Enroll(context.Background(), factor.EnrollRequest{UserID: u.ID, Kind: factor.KindSMS, Address: "+31611111111"}, ta.Now())
	assert.ErrorIs(t, err, factor.ErrStepUpRequired, "the Manager allows a change without a grant right after a step-up")
	assert.Equal(t, 1, methodCount(t, ta, email))

	// Another user's grant, and a tampered one, are refused.
	other, otherSecret := loggedIn(t, ta, "quinn@example.com", false)
	askedBeforeAdding(t, ta, other, otherSecret, "/setup/totp")
	otherGrant := other.session(ta).StepUp.Token
	own := a.session(ta).StepUp.Token
	tampered := []byte(own)
	if i := len(tampered) - 2; tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	for name, token := range map[string]string{"another user's": otherGrant, "a tampered": string(tampered)} {
		a.setGrant(ta, token)
		assert.Equal(t, "/settings/verify", postPhone(t, a, a.csrf("/settings"), "0622222222"), "%s grant added a number", name)
		assert.Nil(t, a.session(ta).StepUp, "%s grant was kept after the Manager refused it", name)
	}
	assert.Equal(t, 1, methodCount(t, ta, email))

	// Session a's own grant adds the number; other's grant is untouched.
	a.setGrant(ta, own)
	_, _, body := a.get("/setup/phone?kind=sms")
	require.Contains(t, body, `id="phone-submit"`)
	addPhone(t, ta, a, "0633333333")
	assert.Equal(t, 2, methodCount(t, ta, email))
	assert.Nil(t, a.session(ta).StepUp, "the grant outlived its use")
	require.NotNil(t, other.session(ta).StepUp)

	// A lapsed grant is forgotten by the app, and refused by the Manager
	// when the app keeps it too long.
	askedBeforeAdding(t, ta, a, secret, "/setup/phone?kind=voice")
	grant := a.session(ta).StepUp.Token
	csrf := a.csrf("/setup/phone?kind=voice")
	ta.clock.Add(ta.cfg.Policy.StepUpWindow)
	code, loc, _ := a.get("/setup/phone?kind=voice")
	assert.Equal(t, "/settings/verify", loc, "GET /setup/phone with a lapsed grant: %d", code)
	assert.Nil(t, a.session(ta).StepUp, "a lapsed grant was kept")
	a.setGrant(ta, grant)
	assert.Equal(t, "/settings/verify", postPhone(t, a, csrf, "0644444444"), "an expired grant added a number")
	assert.Equal(t, 2, methodCount(t, ta, email))
}

// Removing a method and turning two-step verification off ask for a code
// even while the session holds a grant from a step-up to add a method,
// pass the grant of the step-up just made, and leave no grant behind.
func TestRemoveAndDisableUseTheirOwnStepUp(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, secret := loggedIn(t, ta, "rem@example.com", false)
	askedBeforeAdding(t, ta, c, secret, "/setup/phone?kind=sms")
	addPhone(t, ta, c, "0612345678")
	var smsID string
	for _, m := range statusOf(t, ta, "rem@example.com").Enrollments {
		if m.Kind == factor.KindSMS {
			smsID = m.ID
		}
	}
	require.NotEmpty(t, smsID)

	askedBeforeAdding(t, ta, c, secret, "/setup/phone?kind=voice") // a grant left unused
	_, loc, _ := c.post("/settings/remove", url.Values{"csrf": {c.csrf("/settings")}, "id": {smsID}})
	require.Equal(t, "/settings/verify", loc, "removing a method asks for a code even with a grant in the session")
	code, loc := stepUp(t, ta, c, secret)
	require.Equal(t, "/settings", loc, "step-up for removal: %d", code)
	assert.Equal(t, 1, methodCount(t, ta, "rem@example.com"))
	assert.Nil(t, c.session(ta).StepUp, "a grant was kept after the removal")

	_, loc, _ = c.post("/settings/disable", url.Values{"csrf": {c.csrf("/settings")}})
	require.Equal(t, "/settings/verify", loc)
	stepUp(t, ta, c, secret)
	assert.False(t, statusOf(t, ta, "rem@example.com").Enabled)
	assert.Nil(t, c.session(ta).StepUp)
}

// loggedInAgainAs logs an existing user with an authenticator app in on
// client c, with a fresh code of secret.
func loggedInAgainAs(t *testing.T, ta *testApp, c *client, email string, secret []byte) {
	t.Helper()
	require.Equal(t, "/login/2fa", c.login(email))
	_, _, body := c.get("/login/2fa")
	ta.clock.Add(30 * time.Second)
	form := url.Values{"csrf": {c.csrf("/login/2fa")}, "m": {regexpFind(t, body, `name="m" value="([^"]+)"`)}, "code": {totpCode(secret, ta.Now())}}
	_, loc, body := c.post("/login/2fa", form)
	require.Equal(t, "/", loc, "second step: %s", strings.TrimSpace(body))
}
