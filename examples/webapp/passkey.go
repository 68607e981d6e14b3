// Passkeys: "Security key or passkey" as a method in setup, as the second
// step at login and before a sensitive change, in the settings (rename;
// removing is the settings' ordinary remove), and "Sign in with a passkey"
// on the login page, with autofill. The browser's part is
// static/passkey.js: each ceremony begins with a small JSON request here
// for the options, and the browser's answer comes back in an ordinary form
// post, so that errors, flashes and redirects work as on every other page.

package main

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
)

// passkeyFlow is the passkey ceremony under way in a session: a
// registration's pending enrollment, or a passwordless login's sealed
// ceremony.
type passkeyFlow struct {
	// EnrollmentID is the passkey being registered.
	EnrollmentID string
	// Ceremony is the passwordless login begun on the login page.
	Ceremony string
}

// passkeyOrigin is the origin passkeys are bound to: Config.PasskeyOrigin,
// or in development mode http://localhost with the port of Config.Addr.
// Empty when neither is known: the app then offers no passkeys.
func passkeyOrigin(cfg Config) string {
	if cfg.PasskeyOrigin != "" || !cfg.Dev {
		return cfg.PasskeyOrigin
	}
	if _, port, err := net.SplitHostPort(cfg.Addr); err == nil && port != "" {
		return "http://localhost:" + port
	}
	return ""
}

// passkeyFactors are the factors passkeys add: none without an origin.
func passkeyFactors(cfg Config) []factor.Factor {
	if passkeyOrigin(cfg) == "" {
		return nil
	}
	return []factor.Factor{passkey.Factor{}}
}

// newPasskeys builds the passkey ceremonies on m, or nil without an
// origin. Passwordless login is on: the app's store keeps user handles.
func (a *App) newPasskeys() (*passkey.Passkeys, error) {
	origin := passkeyOrigin(a.cfg)
	if origin == "" {
		return nil, nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("passkey origin: want a URL such as https://login.example.com")
	}
	a.cfg.PasskeyOrigin = origin // the pages offer passkeys (page.Passkeys)
	return passkey.New(a.m, passkey.Config{RPID: u.Hostname(), DisplayName: a.cfg.AppName, Origins: []string{origin}, Passwordless: true})
}

func (a *App) passkeyRoutes(mux *routeMux) {
	if a.passkeys == nil {
		return
	}
	mux.HandleFunc("GET /setup/passkey", a.setup(a.handlePasskeyForm))
	mux.HandleFunc("POST /setup/passkey/begin", a.setup(a.handlePasskeyBegin))
	mux.HandleFunc("POST /setup/passkey", a.setup(a.handlePasskeyRegister))
	for _, s := range []step{loginStep, stepUpStep} {
		mux.HandleFunc("POST "+s.prefix+"/passkey/begin", a.stepGuard(s, a.handlePasskeyStepBegin))
		mux.HandleFunc("POST "+s.prefix+"/passkey", a.stepGuard(s, a.handlePasskeyStep))
	}
	mux.HandleFunc("POST /login/passkey/begin", a.handlePasswordlessBegin)
	mux.HandleFunc("POST /login/passkey", a.handlePasswordless)
	mux.HandleFunc("POST /settings/passkey/rename", a.full(a.handlePasskeyRename))
}

// passkeyOptions answers a ceremony's begin request with the options for
// the browser, or with {"error": text} or {"next": path} for the script to
// show or follow.
func (a *App) passkeyOptions(w http.ResponseWriter, r *http.Request, options json.RawMessage, err error) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case err == nil:
		w.Write(options)
	case errors.Is(err, factor.ErrStepUpRequired):
		sess := state(r).sess
		sess.Change, sess.StepCode, sess.StepUp = addChange(sess, passkey.Kind), nil, nil
		sess.Flash = a.userMessage(r, err)
		a.sessions.save(sess)
		json.NewEncoder(w).Encode(map[string]string{"next": stepUpStep.prefix})
	default:
		json.NewEncoder(w).Encode(map[string]string{"error": a.userMessage(r, err)})
	}
}

func (a *App) handlePasskeyForm(w http.ResponseWriter, r *http.Request) {
	if a.askBeforeAdding(w, r, passkey.Kind) {
		return
	}
	a.render(w, r, http.StatusOK, "setup_passkey", &page{Title: "passkey_title"})
}

// handlePasskeyBegin begins registering a passkey under the name the user
// typed, with the session's step-up grant if the user has a method
// already. A registration begun before in this session and never finished
// is dropped first. The grant stays until the registration is finished, so
// that a cancelled browser prompt can be tried again.
func (a *App) handlePasskeyBegin(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		a.passkeyOptions(w, r, nil, &factor.InputError{Field: "label", Reason: "required"})
		return
	}
	usr, err := a.users.byID(r.Context(), sess.UserID)
	if err != nil || usr == nil {
		a.passkeyOptions(w, r, nil, errors.Join(err, factor.ErrNotFound))
		return
	}
	if old := sess.Passkey; old != nil && old.EnrollmentID != "" && a.isPending(r, old.EnrollmentID) {
		// Best effort: an abandoned registration also expires, and Prune
		// removes it.
		if err := a.m.Remove(r.Context(), factor.RemoveRequest{UserID: sess.UserID, EnrollmentID: old.EnrollmentID}, a.Now()); err != nil {
			a.log.Warn("webapp: drop an unfinished passkey registration", "error", err.Error())
		}
	}
	reg, err := a.passkeys.BeginRegistration(r.Context(), passkey.RegistrationRequest{
		UserID: sess.UserID, Label: name, UserName: usr.Email, DisplayName: usr.Name, StepUp: a.grant(sess),
	}, a.Now())
	if err == nil {
		sess.Passkey = &passkeyFlow{EnrollmentID: reg.EnrollmentID}
		a.sessions.save(sess)
		a.passkeyOptions(w, r, reg.Options, nil)
		return
	}
	a.passkeyOptions(w, r, nil, err)
}

// handlePasskeyRegister finishes the registration with the browser's
// answer: the passkey is then a confirmed method, like an authenticator
// app after its first code.
func (a *App) handlePasskeyRegister(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	var id string
	if sess.Passkey != nil {
		id = sess.Passkey.EnrollmentID
	}
	res, err := a.passkeys.FinishRegistration(r.Context(), sess.UserID, id, []byte(r.PostFormValue("response")), a.Now())
	if err != nil {
		a.render(w, r, http.StatusOK, "setup_passkey", &page{Title: "passkey_title", Error: a.userMessage(r, err)})
		return
	}
	sess.Passkey, sess.StepUp = nil, nil
	a.methodConfirmed(w, r, sess, res.Enabled)
}

// handlePasskeyStepBegin begins the second step with one of the user's
// passkeys, at login or before a sensitive change.
func (a *App) handlePasskeyStepBegin(w http.ResponseWriter, r *http.Request, _ step) {
	as, err := a.passkeys.BeginLogin(r.Context(), state(r).sess.UserID, a.Now())
	if err != nil {
		a.passkeyOptions(w, r, nil, err)
		return
	}
	a.passkeyOptions(w, r, as.Options, nil)
}

// handlePasskeyStep checks the passkey's answer: an attempt like a code,
// counted against the user's failures. It then goes on as a right code
// does.
func (a *App) handlePasskeyStep(w http.ResponseWriter, r *http.Request, s step) {
	res, err := a.passkeys.FinishLogin(r.Context(), state(r).sess.UserID, []byte(r.PostFormValue("response")), a.Now())
	if err != nil {
		a.showStep(w, r, s, a.userMessage(r, err))
		return
	}
	a.stepPassed(w, r, s, res)
}

// handlePasswordlessBegin begins a passwordless login for the "Sign in
// with a passkey" button and for autofill. The sealed ceremony waits in
// the (anonymous) session; a new one replaces it.
func (a *App) handlePasswordlessBegin(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if sess.Level == levelFull {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"next": "/"})
		return
	}
	as, err := a.passkeys.BeginPasswordless(r.Context(), a.Now())
	if err == nil {
		sess.Passkey = &passkeyFlow{Ceremony: as.Ceremony}
		a.sessions.save(sess)
		a.passkeyOptions(w, r, as.Options, nil)
		return
	}
	a.passkeyOptions(w, r, nil, err)
}

// handlePasswordless logs the user in whom the passkey names, with no
// password and no further step.
//
// This app counts a passwordless login as both steps of two-step
// verification. The passkey proved possession of a key that never leaves
// the user's authenticator (or the user's own synced keychain), and
// passkey.Passkeys required user verification (a PIN or biometric on that
// device) for it: NIST SP 800-63B rev. 4 treats such a passkey as a
// phishing-resistant multi-factor authenticator (AAL2). A host that wants
// the password as well would begin at the password and offer the passkey
// as the second step only.
func (a *App) handlePasswordless(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	var ceremony string
	if sess.Passkey != nil {
		ceremony = sess.Passkey.Ceremony
	}
	client, _, _ := net.SplitHostPort(r.RemoteAddr)
	login, err := a.passkeys.FinishPasswordless(r.Context(), passkey.PasswordlessRequest{
		Ceremony: ceremony, Response: []byte(r.PostFormValue("response")), Client: client,
	}, a.Now())
	var usr *User
	if err == nil {
		usr, err = a.users.byID(r.Context(), login.UserID)
	}
	if err != nil || usr == nil {
		a.render(w, r, http.StatusUnauthorized, "login", &page{Title: "login_title", Error: a.passwordlessMessage(r, err), Data: &loginForm{}})
		return
	}
	*sess = Session{ID: sess.ID, UserID: usr.ID, Level: levelPassword, Created: a.Now()}
	a.completeLogin(w, r, sess, "/") // a new session ID
}

// passwordlessMessage is the text for a refused passwordless login, which
// says nothing of whether the passkey's user exists.
func (a *App) passwordlessMessage(r *http.Request, err error) string {
	if err == nil || errors.Is(err, factor.ErrMalformed) {
		err = factor.ErrInvalidCode
	}
	return a.userMessage(r, err)
}

// handlePasskeyRename gives one of the user's passkeys a new name. That is
// not a change of the user's methods, so it needs no step-up.
func (a *App) handlePasskeyRename(w http.ResponseWriter, r *http.Request) {
	uid := state(r).sess.UserID
	err := a.passkeys.Rename(r.Context(), uid, r.PostFormValue("id"), strings.TrimSpace(r.PostFormValue("name")), a.Now())
	a.done(r, err, "flash_renamed")
	redirect(w, r, "/settings")
}

// passkeyList describes the user's passkeys by enrollment ID, for the
// settings page; nil when the app offers no passkeys.
func (a *App) passkeyList(r *http.Request) (map[string]passkey.Info, error) {
	if a.passkeys == nil {
		return nil, nil
	}
	list, err := a.passkeys.List(r.Context(), state(r).sess.UserID)
	out := make(map[string]passkey.Info, len(list))
	for _, p := range list {
		out[p.EnrollmentID] = p
	}
	return out, err
}
