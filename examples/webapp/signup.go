// Scaffolding: sign-up confirmed with a code mailed to the address, as
// any app that must not tell strangers who has an account needs; this
// file does not call twostep (App.sendMail in wiring.go mails).

package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Sign-up does not say whether an address has an account: every valid
// form leads to the same page, which asks for the code mailed to the
// address. For a new address the mail holds a code that creates the
// account; for a taken one it tells the owner that someone tried to sign
// up, and no code on the page can succeed. The password is hashed in both
// cases, so the answer takes as long.
const (
	signupLife     = time.Hour
	signupCap      = 10000 // pending sign-ups kept at most; the oldest goes
	signupAttempts = 5     // wrong codes before a pending sign-up ends
)

// pendingSignup is a sign-up waiting for its code.
type pendingSignup struct {
	email, name string
	hash        []byte   // bcrypt hash of the password
	code        [32]byte // SHA-256 of the code; zero for a taken address
	taken       bool
	attempts    int
	expires     time.Time
}

// signups holds pending sign-ups by a random ID that the code page
// carries, at most signupCap of them.
type signups struct {
	mu    sync.Mutex
	all   map[string]*pendingSignup
	order []string
}

func (s *signups) add(p *pendingSignup) string {
	id := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.all == nil {
		s.all = make(map[string]*pendingSignup)
	}
	for len(s.all) >= signupCap || (len(s.order) > 0 && len(s.order) > 2*signupCap) {
		delete(s.all, s.order[0])
		s.order = s.order[1:]
	}
	s.all[id], s.order = p, append(s.order, id)
	return id
}

// check compares code with the pending sign-up id and returns it when it
// matches; it ends the sign-up after a match, after signupAttempts wrong
// codes, and once it has expired.
func (s *signups) check(id, code string, now time.Time) (*pendingSignup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.all[id]
	if p == nil || now.After(p.expires) {
		delete(s.all, id)
		return nil, false
	}
	sum := sha256.Sum256([]byte(normalizeCode(code)))
	if !p.taken && subtle.ConstantTimeCompare(sum[:], p.code[:]) == 1 {
		delete(s.all, id)
		return p, true
	}
	if p.attempts++; p.attempts >= signupAttempts {
		delete(s.all, id)
	}
	return nil, false
}

func normalizeCode(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
}

// signupCodeData is the page that asks for the mailed code.
type signupCodeData struct {
	// ID is the pending sign-up.
	ID string
	// Email is the address the code went to.
	Email string
}

// startSignup mails the address and shows the code page, the same for a
// new address and a taken one.
func (a *App) startSignup(w http.ResponseWriter, r *http.Request, f *loginForm, pw string) {
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), a.cfg.bcryptCost())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	email := normalizeEmail(f.Email)
	existing, err := a.users.byEmail(r.Context(), email)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	p := &pendingSignup{email: email, name: f.Name, hash: hash, taken: existing != nil, expires: a.Now().Add(signupLife)}
	lang := langOf(r)
	subject, text, code := trf(lang, "mail_signup_subject", a.cfg.AppName), "", ""
	if p.taken {
		text = trf(lang, "mail_signup_taken", a.cfg.AppName)
	} else {
		code = rand.Text()[:10]
		p.code = sha256.Sum256([]byte(code))
		text = trf(lang, "mail_signup_code", a.cfg.AppName, code)
	}
	id := a.signups.add(p)
	if err := a.sendMail(r.Context(), email, lang, subject, text, code); err != nil {
		a.log.Error("webapp: sign-up mail", "error", err.Error())
	}
	a.render(w, r, http.StatusOK, "signup_code", &page{Title: "signup_code_title", Data: &signupCodeData{ID: id, Email: email}})
}

// handleSignupConfirm creates the account when the mailed code is right.
func (a *App) handleSignupConfirm(w http.ResponseWriter, r *http.Request) {
	d := &signupCodeData{ID: r.PostFormValue("id"), Email: r.PostFormValue("email")}
	p, ok := a.signups.check(d.ID, r.PostFormValue("code"), a.Now())
	if !ok {
		a.render(w, r, http.StatusUnprocessableEntity, "signup_code", &page{Title: "signup_code_title", Error: tr(langOf(r), "err_signup_code"), Data: d})
		return
	}
	usr, err := a.users.insert(r.Context(), rand.Text(), p.email, p.name, p.hash, false, a.Now())
	if errors.Is(err, errEmailTaken) {
		a.render(w, r, http.StatusConflict, "signup_code", &page{Title: "signup_code_title", Error: tr(langOf(r), "err_email_taken"), Data: d})
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.afterPassword(w, r, usr)
}
