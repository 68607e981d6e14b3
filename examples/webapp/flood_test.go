package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/race"
)

// floodRequests is the size of the flood the tests and the benchmark send.
const floodRequests = 100000

// flood sends n requests without a live session: cookie-less pages and
// forms, and pages with a cookie of a session that is gone (which leave a
// "session expired" message behind).
func flood(tb testing.TB, h http.Handler, n int) {
	tb.Helper()
	for i := range n {
		var req *http.Request
		switch i % 4 {
		case 0, 1:
			req = httptest.NewRequest(http.MethodGet, "/login", nil)
		case 2:
			req = httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("email=x%40example.com&password=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case 3:
			req = httptest.NewRequest(http.MethodGet, "/settings", nil)
			req.Header.Set("Cookie", "webapp-session="+randomToken())
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusSeeOther {
			tb.Fatalf("request %d: %d", i, w.Code)
		}
	}
}

// After 100,000 requests without a session (10,000 with -short or -race) the app
// stores no session, and
// at most anonCap "session expired" messages; a user who opened the
// login page before the flood still logs in with its form.
func TestAnonymousFlood(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "flood@example.com", false)
	ta.addTOTP(t, u.ID)
	c := ta.client(t)
	csrf := c.csrf("/login")

	n := floodRequests
	if testing.Short() || race.Enabled { // CI runs it at full size without -race
		n /= 10
	}
	flood(t, ta, n)

	ta.sessions.mu.Lock()
	stored, flashes := len(ta.sessions.all), ta.sessions.flashes.len()
	ta.sessions.mu.Unlock()
	assert.Zero(t, stored, "sessions stored by the flood")
	assert.LessOrEqual(t, flashes, anonCap, "flash messages kept for anonymous sessions")
	assert.Positive(t, flashes, "the expired sessions got no message")

	code, loc, _ := c.post("/login", url.Values{"csrf": {csrf}, "email": {u.Email}, "password": {testPassword}})
	require.Equal(t, http.StatusSeeOther, code)
	assert.Equal(t, "/login/2fa", loc)
	ta.sessions.mu.Lock()
	assert.Len(t, ta.sessions.all, 1, "the login's session")
	ta.sessions.mu.Unlock()
}

// An anonymous ID that was not made here, or whose form carries another
// session's token, is refused.
func TestAnonymousCSRF(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	ta.addUser(t, "csrf@example.com", false)
	c := ta.client(t)
	c.csrf("/login")
	other := ta.sessions.create()
	form := url.Values{"csrf": {other.CSRF}, "email": {"csrf@example.com"}, "password": {testPassword}}
	code, _, _ := c.post("/login", form)
	assert.Equal(t, http.StatusForbidden, code, "the token of another anonymous session")
	for _, id := range []string{"a." + strings.Repeat("A", 42), "a." + strings.Repeat("*", 43), "a.", "b." + randomToken()[2:]} {
		assert.False(t, isAnonID(id), id)
	}
	assert.True(t, isAnonID(anonID()))
}

// BenchmarkLoginFlood renders /login before and after 100,000 requests
// without a session (see flood); the two figures should be about equal.
//
//	go test -run '^$' -bench LoginFlood -benchtime 2000x ./examples/webapp/
func BenchmarkLoginFlood(b *testing.B) {
	if race.Enabled {
		b.Skip("the flood takes minutes under -race")
	}
	ta := newTestApp(b, factor.Policy{})
	run := func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/login", nil)
		for b.Loop() {
			w := httptest.NewRecorder()
			ta.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	}
	b.Run("before", run)
	flood(b, ta, floodRequests)
	b.Run("after", run)
}
