// Scaffolding: server-side sessions and the request's state, as any app
// with a login has; this file does not call twostep (it declares the
// session fields that say which twostep flow is under way).

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// level is how far a session has come through the login.
type level int

const (
	levelNone     level = iota // anonymous
	levelPassword              // password checked, second step to go
	levelFull                  // logged in
)

// Session lifetimes.
const (
	idleTimeout     = 30 * time.Minute // any session unused this long ends
	passwordTimeout = 10 * time.Minute // half a login ends sooner
	absoluteTimeout = 12 * time.Hour   // no session lives longer
	touchEvery      = time.Minute      // how often use is recorded
	maxSessions     = 100000           // beyond this, expired ones are swept
)

// Session is the server-side state of one browser. Handlers get a copy
// and save it back with sessions.save when they change it, so a polling
// request never overwrites a form's changes. Fields that hold pointers or
// slices are replaced, never modified in place.
type Session struct {
	// ID is the random session ID the cookie carries; it changes after
	// each login step.
	ID string
	// CSRF is the token every form of this session must carry; it
	// changes with the ID.
	CSRF string

	// UserID is the logged-in user, or empty for an anonymous session.
	UserID string
	// Level is how far the login has come.
	Level level
	// Created is when the session (or its login) began; no session lives
	// longer than absoluteTimeout after it.
	Created time.Time
	// Seen is when the session was last used, recorded at most once per
	// touchEvery.
	Seen time.Time
	// PasswordAt is the last time the password was entered.
	PasswordAt time.Time

	// StepCode is the code on its way, or the keypad call, for the
	// login's second step or a step-up; nil until one is asked for.
	StepCode *sentCode
	// Change is the sensitive settings change waiting for a step-up, if
	// any.
	Change *change
	// StepUp is the step-up grant this session earned with its last
	// step-up, while the change it allows is still to be made on a later
	// page (a new method, a changed number); it is forgotten once used or
	// lapsed. Grants live only here, server-side: another session of the
	// same user never sees this one.
	StepUp *stepUpGrant
	// Replaces is the enrollment ID of the phone number that the number
	// being set up replaces, once a step-up allowed the change; empty when
	// a number is added.
	Replaces string
	// NewApp is the authenticator app being set up, until its first code
	// confirms it; then the app just confirmed (Done).
	NewApp *newApp
	// Passkey is the passkey registration or passwordless login under
	// way, until the browser's answer finishes it.
	Passkey *passkeyFlow
	// NewPhone is the phone app being set up, until the app has
	// registered.
	NewPhone *newPhone
	// NewCode is the first code on its way to a phone number or email
	// address being set up, until it confirms it.
	NewCode *sentCode
	// LinkSentTo is the masked address a link went to that confirms the
	// new phone number, until it is opened (-confirm-phone-change).
	LinkSentTo string
	// Recovery holds fresh recovery codes until they have been shown.
	Recovery []string
	// Issued is an activation code just issued by an admin, until the
	// admin page has shown it once.
	Issued *issuedCode
	// Flash is a message for the next page the user sees, shown once.
	Flash string
	// FlashErr reports that Flash says what went wrong: the page shows it
	// as an error (role alert, the title says so), never as a success.
	FlashErr bool
}

// The session keeps one field per flow that can be under way, each of its
// own type: a reader, and the compiler, can tell a code for the second
// step (StepCode) from the first code of a new method (NewCode), a change
// waiting for a step-up (Change) from the number that replaces an old one
// (Replaces), and both from the grant a step-up earned (StepUp). Sessions live in memory (see sessions); every type
// below is plain data, so a store that keeps them as JSON would work too.

// changeKind is a sensitive settings change, which needs a fresh second
// step (a step-up) first.
type changeKind string

// The sensitive changes; each but changeAdd is also the last segment of
// its form's path, such as POST /settings/remove. Adding a method has no
// form of its own: the setup page of the method asks for the step-up (see
// App.askBeforeAdding).
const (
	changeRemove   changeKind = "remove"   // remove a method
	changeReplace  changeKind = "replace"  // replace a phone number with a new one
	changeDisable  changeKind = "disable"  // turn two-step verification off
	changeRecovery changeKind = "recovery" // replace the recovery codes
	changeAdd      changeKind = "add"      // add a method
)

// changeKinds lists every sensitive change with a form in the settings.
var changeKinds = []changeKind{changeRemove, changeReplace, changeDisable, changeRecovery}

// change is a sensitive settings change parked until the step-up passes.
type change struct {
	// Kind is the change.
	Kind changeKind
	// EnrollmentID is the method removed or replaced; empty for the
	// others.
	EnrollmentID string
	// Method is the kind of method added, such as "totp"; empty for the
	// others.
	Method string
}

// stepUpGrant is the step-up grant twostep gave a session (a secret of
// that session) and when it lapses.
type stepUpGrant struct {
	// Token is the grant.
	Token string
	// Expires is when the grant lapses: the step-up plus the policy's
	// step-up window.
	Expires time.Time
}

// newApp is what the setup page shows while the user scans the QR code.
type newApp struct {
	// EnrollmentID is the pending authenticator app.
	EnrollmentID string
	// Text is the key as text, in groups, for typing it in.
	Text string
	// QR is the data URI of the QR code's PNG.
	QR string
	// Done reports that the app was confirmed: only EnrollmentID is
	// kept, so that Back to its page shows no new key.
	Done bool
}

// sentCode is a code the user was sent, or a keypad call in progress.
type sentCode struct {
	// ID is twostep's challenge ID.
	ID string
	// EnrollmentID is the phone number or address the code went to.
	EnrollmentID string
	// Kind is the enrollment's kind, such as "sms".
	Kind string
	// Masked is the phone number or address as the page may show it.
	Masked string
	// Keypad reports whether this is a keypad call, answered on the phone.
	Keypad bool
	// ScreenDigits are the digits the page shows for a keypad call.
	ScreenDigits string
	// ResendAt is when a new code may be asked for.
	ResendAt time.Time
}

// issuedCode is an activation code an admin just issued.
type issuedCode struct {
	// Email is the address of the user it was issued for.
	Email string
	// Code is the activation code.
	Code string
}

// sessions is an in-memory session store, fine for a single process. It
// stores sessions from the password step on; anonymous ones cost nothing
// (see anonPrefix).
type sessions struct {
	mu      sync.Mutex
	all     map[string]Session
	flashes anonTable
	// ceremonies are the passwordless logins begun by anonymous
	// sessions (the login page begins one for autofill as it loads),
	// bounded like flashes: losing one costs a user one more try.
	ceremonies anonTable
	csrfKey    []byte
	now        func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	key := make([]byte, 32)
	rand.Read(key)
	return &sessions{all: make(map[string]Session), flashes: anonTable{text: make(map[string]string)},
		ceremonies: anonTable{text: make(map[string]string)}, csrfKey: key, now: now}
}

// get returns a copy of the live session with this ID. An anonymous ID is
// always live.
func (s *sessions) get(id string) (*Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if isAnonID(id) {
		return s.anonymous(id), true
	}
	sess, ok := s.all[id]
	if !ok {
		return nil, false
	}
	if now := s.now(); expired(&sess, now) {
		delete(s.all, id)
		return nil, false
	} else if now.Sub(sess.Seen) > touchEvery {
		sess.Seen = now
		s.all[id] = sess
	}
	return &sess, true
}

func expired(sess *Session, now time.Time) bool {
	idle := idleTimeout
	if sess.Level == levelPassword {
		idle = passwordTimeout
	}
	return now.Sub(sess.Seen) > idle || now.Sub(sess.Created) > absoluteTimeout || now.Before(sess.Created)
}

// create makes a new anonymous session; it is not stored.
func (s *sessions) create() *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.anonymous(anonID())
}

// anonymous returns the anonymous session with this ID; the caller holds
// the lock.
func (s *sessions) anonymous(id string) *Session {
	now := s.now()
	sess := &Session{ID: id, CSRF: s.anonCSRF(id), Created: now, Seen: now, Flash: s.flashes.get(id)}
	if c := s.ceremonies.get(id); c != "" {
		sess.Passkey = &passkeyFlow{Ceremony: c}
	}
	return sess
}

// insert stores sess under its ID; the caller holds the lock.
func (s *sessions) insert(sess *Session) {
	if len(s.all) >= maxSessions {
		s.sweep()
	}
	s.all[sess.ID] = *sess
}

// save stores sess, unless it was deleted or rotated away meanwhile: a
// request that read the session before a logout or a login step in
// another request must not bring the old ID back to life. It reports
// whether sess was stored. Of an anonymous session only the flash message
// and a passwordless login begun are kept.
func (s *sessions) save(sess *Session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if isAnonID(sess.ID) {
		s.flashes.set(sess.ID, sess.Flash)
		var ceremony string
		if sess.Passkey != nil {
			ceremony = sess.Passkey.Ceremony
		}
		s.ceremonies.set(sess.ID, ceremony)
		return true
	}
	if _, ok := s.all[sess.ID]; !ok {
		return false
	}
	s.all[sess.ID] = *sess
	return true
}

// rotate gives sess a new ID and CSRF token and forgets the old ID: after
// each login step, so that an ID planted before the login is worthless.
// A session deleted or rotated away meanwhile stays dead: sess gets a new
// ID all the same, but it is not stored, and rotate reports false. An
// anonymous session is stored from here on, under its new ID.
func (s *sessions) rotate(sess *Session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, live := s.all[sess.ID]
	live = live || isAnonID(sess.ID)
	delete(s.all, sess.ID)
	s.flashes.set(sess.ID, "")
	s.ceremonies.set(sess.ID, "")
	sess.ID, sess.CSRF = randomToken(), randomToken()
	sess.Seen = s.now()
	if live {
		s.insert(sess)
	}
	return live
}

// delete ends a session.
func (s *sessions) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.all, id)
	s.flashes.set(id, "")
	s.ceremonies.set(id, "")
}

// sweep drops expired sessions; the caller holds the lock.
func (s *sessions) sweep() {
	now := s.now()
	for id, sess := range s.all {
		if expired(&sess, now) {
			delete(s.all, id)
		}
	}
}

// randomToken returns 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookieName is the session cookie: with the __Host- prefix on HTTPS,
// which binds it to this host and path /.
func (a *App) cookieName(r *http.Request) string {
	if a.secure(r) {
		return "__Host-webapp-session"
	}
	return "webapp-session"
}

// secure reports whether the browser reached us over TLS.
func (a *App) secure(r *http.Request) bool {
	return r.TLS != nil || (a.cfg.BehindTLS && r.Header.Get("X-Forwarded-Proto") == "https")
}

// setSessionCookie sends the session's ID: HttpOnly, SameSite=Lax, and
// Secure on HTTPS. It lives as long as the browser; the server ends it.
func (a *App) setSessionCookie(w http.ResponseWriter, r *http.Request, sess *Session) {
	http.SetCookie(w, &http.Cookie{
		Name: a.cookieName(r), Value: sess.ID, Path: "/",
		Secure: a.secure(r), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// reqState is what the middleware learns about a request.
type reqState struct {
	sess *Session
	lang string
	// live reports whether the request came with a live session; if not,
	// sess was started for it.
	live bool
	// dead reports whether the request carried a session cookie that is
	// unknown, expired or tampered with.
	dead bool
	// status is the user's two-step verification, read at most once per
	// request (see App.status).
	status statusCache
}

type ctxKey struct{}

// state returns the request's session and language, set by the middleware.
func state(r *http.Request) *reqState {
	st, _ := r.Context().Value(ctxKey{}).(*reqState)
	return st
}

// withSession loads the request's session or starts a new one, and
// negotiates the language. An unknown, expired or tampered session ID
// starts a new anonymous session, whose first page says that the session
// expired.
func (a *App) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{lang: negotiate(r)}
		c, err := r.Cookie(a.cookieName(r))
		if err == nil {
			st.sess, st.live = a.sessions.get(c.Value)
		}
		if !st.live {
			st.sess, st.dead = a.sessions.create(), err == nil
			a.setSessionCookie(w, r, st.sess)
		}
		if st.dead {
			st.sess.Flash = tr(st.lang, "flash_session_expired")
			a.sessions.save(st.sess)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, st)))
	})
}

// rotate gives the request's session a new ID and sends it.
func (a *App) rotate(w http.ResponseWriter, r *http.Request, sess *Session) {
	a.sessions.rotate(sess)
	a.setSessionCookie(w, r, sess)
}
