package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/twostep/twostep/factor"
)

// benchSession stores a session of the user at the given level, changed
// by edit if not nil, and returns its ID, skipping the password step (and
// bcrypt).
func benchSession(ta *testApp, userID string, lvl level, edit func(*Session)) string {
	s := ta.sessions.create()
	s.UserID, s.Level = userID, lvl
	if edit != nil {
		edit(s)
	}
	ta.sessions.rotate(s) // stored from here on, as after a password
	return s.ID
}

// benchPage is one page BenchmarkPages renders.
type benchPage struct {
	name, path, session string
	after               func(b *testing.B) // outside the timer, after each request
}

// BenchmarkPages renders the pages through the whole handler (security
// headers, session, CSRF check, database, template) on SQLite. The target
// is under 50 ms a page; the figures are to be read, not asserted.
//
//	go test -run '^$' -bench Pages -benchmem ./examples/webapp/
func BenchmarkPages(b *testing.B) {
	ta := newTestApp(b, factor.Policy{})
	ctx := context.Background()
	admin := ta.addUser(b, "admin@example.com", true)
	ta.addTOTP(b, admin.ID)
	codes, err := ta.codes.Generate(ctx, admin.ID, ta.Now())
	if err != nil {
		b.Fatal(err)
	}
	for i := range 20 {
		ta.addUser(b, "user"+string(rune('a'+i))+"@example.com", false)
	}
	newcomer := ta.addUser(b, "new@example.com", false) // halfway through a login, no two-step verification yet
	full := benchSession(ta, admin.ID, levelFull, nil)
	half := benchSession(ta, admin.ID, levelPassword, nil)
	anon := benchSession(ta, "", levelNone, nil)
	fresh := benchSession(ta, newcomer.ID, levelPassword, nil)
	withCodes := benchSession(ta, admin.ID, levelFull, func(s *Session) { s.Recovery = codes })
	confirm := benchSession(ta, newcomer.ID, levelPassword, func(s *Session) { s.NewCode = benchChallenge(b, ta, newcomer.ID) })
	shown := benchSession(ta, newcomer.ID, levelPassword, nil)
	scanning := benchSession(ta, newcomer.ID, levelPassword, nil)

	pages := []benchPage{
		{name: "login", path: "/login", session: anon},
		{name: "signup", path: "/signup", session: anon},
		{name: "login2fa", path: "/login/2fa", session: half},
		{name: "login_recovery", path: "/login/recovery", session: half},
		{name: "home", path: "/", session: full},
		{name: "settings", path: "/settings", session: full},
		{name: "setup_offer", path: "/setup/offer", session: fresh},
		{name: "setup_activate", path: "/setup/activate", session: fresh},
		{name: "setup", path: "/setup", session: full},
		// A new authenticator app each time: enrolment, key and QR code.
		{name: "setup_totp", path: "/setup/totp?new=1", session: scanning, after: func(b *testing.B) {
			if s, ok := ta.sessions.get(scanning); ok && s.NewApp != nil {
				if err := ta.m.Remove(ctx, factor.RemoveRequest{UserID: newcomer.ID, EnrollmentID: s.NewApp.EnrollmentID}, ta.Now()); err != nil {
					b.Fatal(err)
				}
			}
		}},
		// The same page again, its QR code kept in the session.
		{name: "setup_totp_again", path: "/setup/totp", session: shown},
		{name: "setup_confirm", path: "/setup/confirm", session: confirm},
		{name: "setup_recovery", path: "/setup/recovery?next=/", session: withCodes},
		{name: "admin", path: "/admin", session: full},
		{name: "outbox", path: "/dev/outbox", session: full},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) { benchPageLoop(b, ta, p) })
	}
}

func benchPageLoop(b *testing.B, ta *testApp, p benchPage) {
	req := httptest.NewRequest(http.MethodGet, p.path, nil)
	req.Host = "localhost:8080" // as a browser on this machine: the outbox answers only there
	req.Header.Set("Cookie", "webapp-session="+p.session)
	req.Header.Set("Accept-Language", "nl-NL,nl;q=0.9,en;q=0.8")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		ta.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", p.path, w.Code, w.Header().Get("Location"))
		}
		if p.after != nil {
			b.StopTimer()
			p.after(b)
			b.StartTimer()
		}
	}
}

// benchChallenge enrols a phone number for the user and sends its first
// code, as the phone step of the setup does.
func benchChallenge(b *testing.B, ta *testApp, userID string) *sentCode {
	ctx := context.Background()
	e, err := ta.m.Enroll(ctx, factor.EnrollRequest{UserID: userID, Kind: factor.KindSMS, Address: "+31612345678"}, ta.Now())
	if err != nil {
		b.Fatal(err)
	}
	sent, err := ta.m.Challenge(ctx, factor.ChallengeRequest{UserID: userID, EnrollmentID: e.ID, Language: "nl"}, ta.Now())
	if err != nil {
		b.Fatal(err)
	}
	return newSentCode(sent, e.ID)
}
