// Scaffolding: the password login, sign-up and logout any app already
// has; this file does not call twostep (after the password, login.go
// takes over).

package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

func (a *App) authRoutes(mux *routeMux) {
	mux.HandleFunc("GET /login", a.handleLoginForm)
	mux.HandleFunc("POST /login", a.handleLogin)
	mux.HandleFunc("GET /signup", a.handleSignupForm)
	mux.HandleFunc("POST /signup", a.handleSignup)
	mux.HandleFunc("POST /signup/confirm", a.handleSignupConfirm)
	mux.HandleFunc("POST /logout", a.handleLogout)
}

// full wraps handlers for logged-in users; others go to the login page.
func (a *App) full(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if state(r).sess.Level != levelFull {
			redirect(w, r, "/login")
			return
		}
		h(w, r)
	}
}

// halfway wraps handlers of the second step: the password must be right,
// the second step may still be missing.
func (a *App) halfway(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if state(r).sess.Level == levelNone {
			redirect(w, r, "/login")
			return
		}
		h(w, r)
	}
}

// loginForm is what the login and sign-up pages show again after an error.
type loginForm struct {
	// Email and Name are what the user typed.
	Email, Name string
	// Problems are the text keys of what is wrong.
	Problems []string
	// Rules are the text keys of the password rules.
	Rules []string
	// Broken holds the rules the password broke.
	Broken map[string]bool
}

func (a *App) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if state(r).sess.Level == levelFull {
		redirect(w, r, "/")
		return
	}
	a.render(w, r, http.StatusOK, "login", &page{Title: "login_title", Data: &loginForm{}})
}

// handleLogin checks the password, throttled per client and, unless the
// browser has a device cookie of the account, per account (see
// loginGuard).
func (a *App) handleLogin(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	client, known := a.clientKey(r), a.knownDevice(r, email)
	if d := a.guard.wait(client, email, known, a.Now()); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(d)))
		a.render(w, r, http.StatusTooManyRequests, "login", &page{Title: "login_title", Error: trf(langOf(r), "err_login_wait", retryAfter(d)), Data: &loginForm{Email: email}})
		return
	}
	usr, err := a.users.authenticate(r.Context(), email, r.PostFormValue("password"))
	if errors.Is(err, errBadLogin) {
		a.guard.failed(client, email, known, a.Now())
		a.render(w, r, http.StatusUnauthorized, "login", &page{Title: "login_title", Error: tr(langOf(r), "err_login"), Data: &loginForm{Email: email}})
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.guard.accounts.reset(normalizeEmail(email))
	a.setDeviceCookie(w, r, email)
	a.afterPassword(w, r, usr)
}

func (a *App) handleSignupForm(w http.ResponseWriter, r *http.Request) {
	if !a.canMail() {
		a.errorPage(w, r, http.StatusNotFound, "err_signup_closed")
		return
	}
	a.render(w, r, http.StatusOK, "signup", &page{Title: "signup_title", Data: &loginForm{Rules: passwordRules}})
}

var passwordRules = []string{"pw_len", "pw_digit", "pw_lower", "pw_upper", "pw_special"}

func (a *App) handleSignup(w http.ResponseWriter, r *http.Request) {
	f := &loginForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")), Rules: passwordRules}
	pw := r.PostFormValue("password")
	if !a.canMail() {
		a.errorPage(w, r, http.StatusNotFound, "err_signup_closed")
		return
	}
	f.Broken = make(map[string]bool)
	for _, p := range passwordProblems(pw) {
		f.Broken[p] = true
	}
	if len(f.Broken) > 0 {
		f.Problems = append(f.Problems, "err_pw_rules")
	}
	if f.Broken["pw_max"] {
		f.Problems = append(f.Problems, "err_pw_max")
	}
	if pw != r.PostFormValue("password2") {
		f.Problems = append(f.Problems, "pw_mismatch")
	}
	if !strings.Contains(f.Email, "@") || len(f.Email) > 254 {
		f.Problems = append(f.Problems, "err_email")
	}
	if f.Name == "" || len(f.Name) > 100 {
		f.Problems = append(f.Problems, "err_name")
	}
	if len(f.Problems) > 0 {
		a.render(w, r, http.StatusBadRequest, "signup", &page{Title: "signup_title", Data: f})
		return
	}
	a.startSignup(w, r, f, pw) // the same answer whether or not the address has an account
}

func (a *App) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	a.sessions.delete(sess.ID)
	*sess = *a.sessions.create()
	a.setSessionCookie(w, r, sess)
	a.flash(r, "flash_logged_out")
	redirect(w, r, "/login")
}
