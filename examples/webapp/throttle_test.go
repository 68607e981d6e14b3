package main

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// The throttle lets the free failures through, then doubles the wait per
// failure, never beyond maxDelay; attempts refused while waiting do not
// count, and an hour without failures forgets them.
func TestThrottleDelaysNeverLocks(t *testing.T) {
	th := newThrottle(3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 3 {
		require.Zero(t, th.wait("k", now))
		th.fail("k", now)
	}
	want := time.Second
	for range 30 {
		d := th.wait("k", now)
		assert.Equal(t, want, d)
		assert.Equal(t, d, th.wait("k", now.Add(d/2))+d/2, "a refused attempt counts nothing")
		now = now.Add(d)
		require.Zero(t, th.wait("k", now))
		th.fail("k", now)
		want = min(2*want, maxDelay)
	}
	assert.Equal(t, maxDelay, th.wait("k", now))
	assert.Zero(t, th.wait("other", now))
	th.fail("k", now.Add(forgetAfter+time.Second))
	assert.Zero(t, th.wait("k", now.Add(forgetAfter+time.Second)), "an hour later the failures are forgotten")
}

// The throttle keeps at most throttleCap keys.
func TestThrottleBounded(t *testing.T) {
	th := newThrottle(1)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range throttleCap + 10 {
		th.fail(strconv.Itoa(i), now.Add(time.Duration(i)))
	}
	assert.Len(t, th.keys, throttleCap)
	_, oldest := th.keys[sha256.Sum256([]byte("0"))]
	assert.False(t, oldest, "the oldest key stayed")
}

// loginAs posts the login form from addr with the given cookies.
func loginAs(t *testing.T, ta *testApp, addr, email, password string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	anon := ta.sessions.create()
	form := url.Values{"csrf": {anon.CSRF}, "email": {email}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr + ":40000"
	req.AddCookie(&http.Cookie{Name: "webapp-session", Value: anon.ID})
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	ta.ServeHTTP(w, req)
	return w
}

func deviceCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == "webapp-device" {
			return c
		}
	}
	return nil
}

// Guesses at one account from many addresses are delayed after
// accountFree of them, for at most maxDelay; the owner's browser, which
// has a device cookie from an earlier login, is not delayed; another
// account is not delayed.
func TestLoginThrottlePerAccount(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "owner@example.com", false)
	ta.addUser(t, "other@example.com", false)
	w := loginAs(t, ta, "10.0.0.1", u.Email, testPassword)
	require.Equal(t, http.StatusSeeOther, w.Code)
	device := deviceCookie(w)
	require.NotNil(t, device, "no device cookie after a successful login")

	for i := range accountFree {
		assert.Equal(t, http.StatusUnauthorized, loginAs(t, ta, "10.1.0."+strconv.Itoa(i), u.Email, "wrong").Code)
	}
	w = loginAs(t, ta, "10.2.0.1", u.Email, testPassword)
	assert.Equal(t, http.StatusTooManyRequests, w.Code, "a right password from a new address while the account is delayed")
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	assert.Contains(t, w.Body.String(), "seconden")

	w = loginAs(t, ta, "10.3.0.2", "other@example.com", testPassword)
	assert.Equal(t, http.StatusSeeOther, w.Code, "another account")
	assert.Equal(t, http.StatusTooManyRequests, loginAs(t, ta, "10.3.0.3", u.Email, testPassword, deviceCookie(w)).Code,
		"a device cookie of another account")
	assert.Equal(t, http.StatusSeeOther, loginAs(t, ta, "10.3.0.1", u.Email, testPassword, device).Code, "the owner's browser")

	// The owner's login reset the account; a long run of guesses waits at
	// most maxDelay, after which the right password gets in.
	for i := 0; i < 40; i++ {
		w := loginAs(t, ta, "10.4."+strconv.Itoa(i)+".1", u.Email, "wrong")
		if w.Code == http.StatusTooManyRequests {
			ra, _ := strconv.Atoi(w.Header().Get("Retry-After"))
			require.LessOrEqual(t, ra, int(maxDelay/time.Second))
			ta.clock.Add(time.Duration(ra) * time.Second)
		}
	}
	ta.clock.Add(maxDelay)
	assert.Equal(t, http.StatusSeeOther, loginAs(t, ta, "10.5.0.1", u.Email, testPassword).Code, "after maxDelay")
}

// One client guessing at many accounts is delayed after clientFree
// failures, also for an account it has a device cookie of; behind a
// TLS-terminating proxy the client is the last X-Forwarded-For address.
func TestLoginThrottlePerClient(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "victim@example.com", false)
	device := deviceCookie(loginAs(t, ta, "10.9.9.9", u.Email, testPassword))
	for i := range clientFree {
		assert.Equal(t, http.StatusUnauthorized, loginAs(t, ta, "192.0.2.7", "guess"+strconv.Itoa(i)+"@example.com", "wrong").Code)
	}
	assert.Equal(t, http.StatusTooManyRequests, loginAs(t, ta, "192.0.2.7", u.Email, testPassword, device).Code)
	assert.Equal(t, http.StatusSeeOther, loginAs(t, ta, "192.0.2.8", u.Email, testPassword).Code, "another client")

	ta.cfg.BehindTLS = true
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "127.0.0.1:1"
	req.Header.Add("X-Forwarded-For", "6.6.6.6, 192.0.2.7")
	assert.Equal(t, "192.0.2.7", ta.clientKey(req))
	req.RemoteAddr = "[2001:db8:1:2:3:4:5:6]:1"
	ta.cfg.BehindTLS = false
	assert.Equal(t, "2001:db8:1:2::/64", ta.clientKey(req))
}

// Entering the password again before turning two-step verification on is
// throttled per client too.
func TestPasswordAgainThrottled(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "again@example.com", false)
	c := ta.client(t)
	require.Equal(t, "/setup/offer", c.login(u.Email))
	_, _, _ = c.post("/setup/skip", url.Values{"csrf": {c.csrf("/setup/offer")}})
	csrf := c.csrf("/setup/password")
	for range clientFree {
		code, _, _ := c.post("/setup/password", url.Values{"csrf": {csrf}, "password": {"wrong"}})
		require.Equal(t, http.StatusUnauthorized, code)
	}
	code, _, _ := c.post("/setup/password", url.Values{"csrf": {csrf}, "password": {testPassword}})
	assert.Equal(t, http.StatusTooManyRequests, code)
	ta.clock.Add(time.Second)
	code, loc, _ := c.post("/setup/password", url.Values{"csrf": {csrf}, "password": {testPassword}})
	assert.Equal(t, http.StatusSeeOther, code)
	assert.Equal(t, "/setup", loc)
}
