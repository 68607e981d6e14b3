// Setup: the wizard that turns two-step verification on (the offer after
// the password, the activation code, authenticator apps, recovery codes);
// setup_phone.go has the steps for phone numbers and email addresses.

package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
	"github.com/twostep/twostep/push"
)

// passwordFresh is how recently the password must have been entered to
// turn two-step verification on from the settings, so that a session
// left open cannot be given a second factor by someone else.
const passwordFresh = 10 * time.Minute

func (a *App) setupRoutes(mux *routeMux) {
	mux.HandleFunc("GET /setup/offer", a.halfway(a.handleOffer))
	mux.HandleFunc("POST /setup/skip", a.halfway(a.handleSkip))
	mux.HandleFunc("GET /setup/password", a.full(a.handlePasswordForm))
	mux.HandleFunc("POST /setup/password", a.full(a.handlePassword))
	mux.HandleFunc("GET /setup/activate", a.setup(a.handleActivateForm))
	mux.HandleFunc("POST /setup/activate", a.setup(a.handleActivate))
	mux.HandleFunc("GET /setup/activate/none", a.setup(a.handleNoActivation))
	mux.HandleFunc("GET /setup", a.setup(a.handleChoose))
	mux.HandleFunc("GET /setup/totp", a.setup(a.handleTOTPForm))
	mux.HandleFunc("POST /setup/totp", a.setup(a.handleTOTP))
	mux.HandleFunc("GET /setup/phone", a.setup(a.handlePhoneForm))
	mux.HandleFunc("POST /setup/phone", a.setup(a.handlePhone))
	mux.HandleFunc("GET /setup/email", a.setup(a.handleEmailForm))
	mux.HandleFunc("POST /setup/email", a.setup(a.handleEmail))
	mux.HandleFunc("GET /setup/confirm", a.setup(a.handleConfirmForm))
	mux.HandleFunc("POST /setup/confirm", a.setup(a.handleConfirm))
	mux.HandleFunc("POST /setup/resend", a.setup(a.handleResend))
	mux.HandleFunc("POST /setup/finish", a.full(a.handleFinish))
	mux.HandleFunc("GET /setup/recovery", a.full(a.handleRecoveryCodes))
	mux.HandleFunc("GET /setup/recovery.txt", a.full(a.handleRecoveryDownload))
	mux.HandleFunc("POST /setup/recovery", a.full(a.handleRecoveryDone))
	mux.HandleFunc("GET /setup/confirm/status", a.halfway(a.handleConfirmStatus))
	a.pushSetupRoutes(mux)
}

// setup guards the setup wizard. Halfway through a login only users
// without two-step verification may set it up (otherwise the wizard would
// be a way around the second step). Logged-in users without it must have
// entered their password recently.
func (a *App) setup(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := state(r).sess
		if sess.Level == levelNone {
			redirect(w, r, "/login")
			return
		}
		st, err := a.status(r)
		switch {
		case err != nil:
			a.serverError(w, r, err)
		case sess.Level == levelPassword && st.Enabled:
			redirect(w, r, "/login/2fa")
		case sess.Level == levelFull && !st.Enabled && a.Now().Sub(sess.PasswordAt) > passwordFresh:
			redirect(w, r, "/setup/password")
		default:
			h(w, r)
		}
	}
}

// offerData is what the setup offer after the password step shows.
type offerData struct {
	// Status is the user's two-step verification.
	Status *factor.Status
	// From is the date from which two-step verification becomes
	// mandatory, while it is still optional.
	From string
}

func (a *App) handleOffer(w http.ResponseWriter, r *http.Request) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if st.Enabled {
		redirect(w, r, "/login/2fa")
		return
	}
	d := &offerData{Status: st}
	if p := a.cfg.Policy; !st.Required && !p.RequiredFrom.IsZero() {
		d.From = formatDate(langOf(r), p.RequiredFrom)
	}
	a.render(w, r, http.StatusOK, "offer", &page{Title: "offer_title", Data: d})
}

func (a *App) handleSkip(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if sess.Level == levelFull {
		redirect(w, r, "/")
		return
	}
	if err := a.m.Skip(r.Context(), sess.UserID, a.Now()); err != nil {
		a.flashErr(r, err)
		redirect(w, r, "/setup/offer")
		return
	}
	a.completeLogin(w, r, sess, "/")
}

func (a *App) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "password", &page{Title: "password_title"})
}

// handlePassword checks the password again before two-step verification
// is turned on from the settings, throttled per client as at login.
func (a *App) handlePassword(w http.ResponseWriter, r *http.Request) {
	sess, client := state(r).sess, a.clientKey(r)
	if d := a.guard.clients.wait(client, a.Now()); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(d)))
		a.render(w, r, http.StatusTooManyRequests, "password", &page{Title: "password_title", Error: trf(langOf(r), "err_login_wait", retryAfter(d))})
		return
	}
	usr, err := a.users.byID(r.Context(), sess.UserID)
	if err == nil && usr != nil {
		_, err = a.users.authenticate(r.Context(), usr.Email, r.PostFormValue("password"))
	}
	if err != nil {
		a.guard.clients.fail(client, a.Now())
		a.render(w, r, http.StatusUnauthorized, "password", &page{Title: "password_title", Error: tr(langOf(r), "err_password")})
		return
	}
	sess.PasswordAt = a.Now()
	a.sessions.save(sess)
	redirect(w, r, "/setup")
}

func (a *App) handleActivateForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "activate", &page{Title: "activate_title"})
}

// handleNoActivation is the screen for a user without an activation code
// yet: who issues one, and what to do with it.
func (a *App) handleNoActivation(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "no_activation", &page{Title: "noact_title"})
}

func (a *App) handleActivate(w http.ResponseWriter, r *http.Request) {
	err := a.m.Activate(r.Context(), state(r).sess.UserID, r.PostFormValue("code"), a.Now())
	if err != nil {
		a.render(w, r, http.StatusOK, "activate", &page{Title: "activate_title", Error: a.userMessage(r, err)})
		return
	}
	a.flash(r, "flash_activated")
	redirect(w, r, "/setup")
}

// chooseData lists the kinds on offer (Status.Kinds, which has email only
// while it is the user's fallback) and the methods set up so far.
type chooseData struct {
	// Status is the user's two-step verification.
	Status *factor.Status
	// Keypad reports whether voice calls can use keypad mode.
	Keypad bool
	// AnotherApp is the authenticator app this session just confirmed, if
	// any: the link to add one names it, to tell a new request from Back.
	AnotherApp string
}

func (a *App) handleChoose(w http.ResponseWriter, r *http.Request) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if st.NeedsActivation {
		redirect(w, r, "/setup/activate")
		return
	}
	if sess := state(r).sess; sess.Replaces != "" {
		sess.Replaces = ""
		a.sessions.save(sess)
	}
	d := &chooseData{Status: st, Keypad: a.keypadAvailable()}
	if app := state(r).sess.NewApp; app != nil && app.Done {
		d.AnotherApp = app.EnrollmentID
	}
	a.render(w, r, http.StatusOK, "setup", &page{Title: "setup_title", Data: d})
}

// totpData is the authenticator app step: the QR code and the key as text.
type totpData struct {
	// Key is the authenticator app being set up.
	Key *newApp
}

func (a *App) handleTOTPForm(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if a.wantsNewApp(r, sess) {
		sess.NewApp = nil
		if a.askBeforeAdding(w, r, factor.KindTOTP) {
			return
		}
		err := a.startTOTP(r, sess)
		if errors.Is(err, factor.ErrStepUpRequired) {
			a.askStepUpAgain(w, r, sess, addChange(sess, factor.KindTOTP), err)
			return
		}
		if err != nil {
			a.flashErr(r, err)
			redirect(w, r, "/setup")
			return
		}
	}
	if sess.NewApp.Done { // Back after confirming it: no new key
		a.flash(r, "flash_app_done")
		redirect(w, r, "/setup")
		return
	}
	a.render(w, r, http.StatusOK, "setup_totp", &page{Title: "totp_title", Data: &totpData{Key: sess.NewApp}})
}

// wantsNewApp reports whether the authenticator app page makes a new key:
// none is being set up, a new one was asked for (?new, or ?another naming
// the app just confirmed, as the choice of methods links), or a step-up
// just allowed adding one. Going back to the page after confirming an app
// is none of these.
func (a *App) wantsNewApp(r *http.Request, sess *Session) bool {
	q := r.URL.Query()
	switch {
	case sess.NewApp == nil || q.Has("new"):
		return true
	case sess.NewApp.Done:
		return q.Get("another") == sess.NewApp.EnrollmentID || a.grant(sess) != ""
	}
	return false
}

// startTOTP enrols a new authenticator app, with the session's step-up
// grant if it has one, and keeps what the page shows in the session until
// it is confirmed. The grant is then used up.
func (a *App) startTOTP(r *http.Request, sess *Session) error {
	usr, err := a.users.byID(r.Context(), sess.UserID)
	if err != nil || usr == nil {
		return errors.Join(err, factor.ErrNotFound)
	}
	req := factor.EnrollRequest{UserID: sess.UserID, Kind: factor.KindTOTP, Label: tr(langOf(r), "kind_totp"), StepUp: a.grant(sess)}
	e, err := a.m.Enroll(r.Context(), req, a.Now())
	if err != nil {
		return err
	}
	key, err := a.totp.Key(e.Secret, usr.Email)
	if err != nil {
		return err
	}
	qr, err := key.DataURI(240)
	if err != nil {
		return err
	}
	sess.NewApp, sess.StepUp = &newApp{EnrollmentID: e.ID, Text: key.Text(), QR: qr}, nil
	a.sessions.save(sess)
	return nil
}

// askBeforeAdding sends a user who already has two-step verification to
// the step-up page before a setup page that adds a method of kind k, and
// reports whether it did; a session that passed a step-up a moment ago
// (it holds a grant) goes on. Adding a method changes how the account
// logs in: someone with only the password, or an open session, must not
// add a method of their own and then use it to turn the others off. The
// Manager refuses such an Enroll anyway (factor.ErrStepUpRequired); asking
// first spares the user a form typed in vain.
func (a *App) askBeforeAdding(w http.ResponseWriter, r *http.Request, k factor.Kind) bool {
	sess := state(r).sess
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return true
	}
	if !st.Enabled || a.grant(sess) != "" {
		return false
	}
	sess.Change, sess.StepCode, sess.Replaces = addChange(sess, k), nil, ""
	a.sessions.save(sess)
	redirect(w, r, stepUpStep.prefix)
	return true
}

// addChange is the sensitive change that a setup page for kind k makes:
// a phone number that replaces the one the session is changing, or a new
// method.
func addChange(sess *Session, k factor.Kind) *change {
	if sess.Replaces != "" && (k == factor.KindSMS || k == factor.KindVoice) {
		return &change{Kind: changeReplace, EnrollmentID: sess.Replaces}
	}
	return &change{Kind: changeAdd, Method: string(k)}
}

// setupPath is the setup page that adds a method of kind k.
func setupPath(k string) string {
	switch factor.Kind(k) {
	case factor.KindTOTP:
		return "/setup/totp"
	case factor.KindSMS, factor.KindVoice:
		return "/setup/phone?kind=" + k
	case factor.KindEmail:
		return "/setup/email"
	case passkey.Kind:
		return "/setup/passkey"
	case push.Kind:
		return "/setup/push"
	}
	return "/setup"
}

func (a *App) handleTOTP(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if sess.NewApp == nil || sess.NewApp.Done {
		redirect(w, r, "/setup/totp")
		return
	}
	res, err := a.m.Confirm(r.Context(), factor.Answer{UserID: sess.UserID, EnrollmentID: sess.NewApp.EnrollmentID, Code: r.PostFormValue("code")}, a.Now())
	if err != nil {
		a.render(w, r, http.StatusOK, "setup_totp", &page{Title: "totp_title", Error: a.userMessage(r, err), Data: &totpData{Key: sess.NewApp}})
		return
	}
	sess.NewApp = &newApp{EnrollmentID: sess.NewApp.EnrollmentID, Done: true}
	a.methodConfirmed(w, r, sess, res.Enabled)
}

// methodConfirmed continues after a new method passed its first code. That
// code was a second step, so a login halfway is now complete. When the
// confirmation turned two-step verification on (Result.Enabled), the
// recovery codes are made and shown at once, so that nobody leaves set-up
// with a method and no way back in if the phone is lost.
func (a *App) methodConfirmed(w http.ResponseWriter, r *http.Request, sess *Session, enabled bool) {
	sess.Flash = tr(langOf(r), "flash_method_added")
	next := "/setup"
	if enabled {
		codes, err := a.codes.Generate(r.Context(), sess.UserID, a.Now())
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		sess.Recovery, sess.Flash = codes, tr(langOf(r), "flash_enabled")
		next = "/setup/recovery?next=/setup"
	}
	if sess.Level == levelPassword {
		a.completeLogin(w, r, sess, next)
		return
	}
	a.sessions.save(sess)
	redirect(w, r, next)
}

// handleFinish ends the wizard: users without recovery codes get a set,
// shown once.
func (a *App) handleFinish(w http.ResponseWriter, r *http.Request) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !st.Enabled || st.RecoveryCodesLeft > 0 {
		redirect(w, r, "/")
		return
	}
	a.newRecoveryCodes(w, r, "/")
}

// newRecoveryCodes generates a set of recovery codes and shows it once.
func (a *App) newRecoveryCodes(w http.ResponseWriter, r *http.Request, next string) {
	sess := state(r).sess
	codes, err := a.codes.Generate(r.Context(), sess.UserID, a.Now())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	sess.Recovery = codes
	a.sessions.save(sess)
	redirect(w, r, "/setup/recovery?next="+next)
}

func (a *App) handleRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if len(sess.Recovery) == 0 {
		redirect(w, r, "/settings")
		return
	}
	a.render(w, r, http.StatusOK, "recovery_codes", &page{Title: "codes_title", Data: map[string]any{
		"Codes": sess.Recovery, "Next": localPath(r.URL.Query().Get("next")), "Account": a.accountName(r, sess),
	}})
}

// handleRecoveryDownload serves the fresh codes as a text file.
func (a *App) handleRecoveryDownload(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if len(sess.Recovery) == 0 {
		redirect(w, r, "/settings")
		return
	}
	lang := langOf(r)
	var b strings.Builder
	b.WriteString(trf(lang, "codes_file_head", a.cfg.AppName, a.accountName(r, sess)) + "\n\n")
	for _, c := range sess.Recovery {
		b.WriteString(c + "\n")
	}
	b.WriteString("\n" + tr(lang, "codes_file_foot") + "\n")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="recovery-codes.txt"`)
	w.Write([]byte(b.String()))
}

// accountName is the account the recovery codes belong to, as the user
// knows it: the email address.
func (a *App) accountName(r *http.Request, sess *Session) string {
	if u, err := a.users.byID(r.Context(), sess.UserID); err == nil && u != nil {
		return u.Email
	}
	return ""
}

// handleRecoveryDone forgets the codes: they were shown once.
func (a *App) handleRecoveryDone(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	sess.Recovery = nil
	a.sessions.save(sess)
	redirect(w, r, localPath(r.PostFormValue("next")))
}
