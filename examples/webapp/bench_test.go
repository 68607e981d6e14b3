package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/twostep/twostep/factor"
)

// benchSession stores a session of the user at the given level and
// returns its cookie, skipping the password step (and bcrypt).
func benchSession(ta *testApp, userID string, lvl level) string {
	s := ta.sessions.create()
	s.UserID, s.Level = userID, lvl
	ta.sessions.save(s)
	return "webapp-session=" + s.ID
}

// BenchmarkPages renders the main pages through the whole handler
// (security headers, session, CSRF check, database, template) on SQLite.
//
//	go test -run '^$' -bench Pages -benchmem ./examples/webapp/
func BenchmarkPages(b *testing.B) {
	ta := newTestApp(b, factor.Policy{})
	admin := ta.addUser(b, "admin@example.com", true)
	ta.addTOTP(b, admin.ID)
	if _, err := ta.codes.Generate(context.Background(), admin.ID, ta.Now()); err != nil {
		b.Fatal(err)
	}
	for i := range 20 {
		ta.addUser(b, "user"+string(rune('a'+i))+"@example.com", false)
	}
	full := benchSession(ta, admin.ID, levelFull)
	half := benchSession(ta, admin.ID, levelPassword)
	anon := benchSession(ta, "", levelNone)
	for _, p := range []struct{ name, path, cookie string }{
		{"login", "/login", anon},
		{"signup", "/signup", anon},
		{"login2fa", "/login/2fa", half},
		{"home", "/", full},
		{"settings", "/settings", full},
		{"setup", "/setup", full},
		{"admin", "/admin", full},
		{"outbox", "/dev/outbox", full},
	} {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, p.path, nil)
			req.Header.Set("Cookie", p.cookie)
			req.Header.Set("Accept-Language", "nl-NL,nl;q=0.9,en;q=0.8")
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				ta.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, w.Code)
				}
			}
		})
	}
}
