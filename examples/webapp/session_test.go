package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
)

// A copy of a session read before a logout or a rotation cannot bring the
// old ID back to life: save and rotate store only a session ID that is
// still alive.
func TestSessionSaveDoesNotResurrect(t *testing.T) {
	s := newSessions(time.Now)
	for name, end := range map[string]func(*Session){
		"deleted": func(sess *Session) { s.delete(sess.ID) },
		"rotated": func(sess *Session) { cp := *sess; s.rotate(&cp) },
	} {
		sess := s.create()
		sess.UserID, sess.Level = "u1", levelFull
		if !s.rotate(sess) {
			t.Fatalf("%s: storing a session after the password failed", name)
		}
		stale, _ := s.get(sess.ID)
		end(sess)
		stale.Flash = "a message"
		if s.save(stale) {
			t.Errorf("%s: save stored a dead session", name)
		}
		if _, ok := s.get(stale.ID); ok {
			t.Errorf("%s: the old ID lives again after save", name)
		}
		if s.rotate(stale) {
			t.Errorf("%s: rotate stored a dead session", name)
		}
		if _, ok := s.get(stale.ID); ok {
			t.Errorf("%s: rotating a dead session stored its new ID", name)
		}
	}
}

// The same through the app: a request that read the session before a
// logout or a login step in another request, and shows or sets a flash
// message afterwards, leaves the old ID dead.
func TestStaleRequestCannotRevive(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "stale@example.com", false)
	id, secret := ta.addTOTP(t, u.ID)

	c := ta.client(t)
	c.login(u.Email)
	half := sessionID(t, c, ta)
	staleHalf, _ := ta.sessions.get(half)
	ta.clock.Add(30 * time.Second)
	c.post("/login/2fa", url.Values{"csrf": {c.csrf("/login/2fa")}, "m": {id}, "code": {totpCode(secret, ta.Now())}})
	full := sessionID(t, c, ta)
	staleFull, _ := ta.sessions.get(full)
	if code, loc, _ := c.post("/logout", url.Values{"csrf": {c.csrf("/settings")}}); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("logout: %d %s", code, loc)
	}

	for name, stale := range map[string]*Session{"before the second step": staleHalf, "before the logout": staleFull} {
		r := staleRequest(stale)
		ta.flash(r, "flash_primary")                                                                                  // sets a flash: saves
		ta.render(httptest.NewRecorder(), r, http.StatusOK, "login", &page{Title: "login_title", Data: &loginForm{}}) // shows it: saves
		if _, ok := ta.sessions.get(stale.ID); ok {
			t.Errorf("session read %s lives again", name)
		}
		fresh := ta.client(t)
		for _, path := range []string{"/settings", "/login/2fa"} {
			if code, loc, _ := fresh.get(path, "Cookie", "webapp-session="+stale.ID); code != http.StatusSeeOther || loc != "/login" {
				t.Errorf("session read %s, GET %s: %d %s, want the login page", name, path, code, loc)
			}
		}
	}
}

// staleRequest is a request in the middle of being handled with sess, as
// the session middleware hands it on.
func staleRequest(sess *Session) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/login", nil)
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, &reqState{sess: sess, lang: "en"}))
}
