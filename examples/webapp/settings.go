// Settings: the home page's summary and the settings page of a logged-in
// user (methods, primary number, trusted devices), and the sensitive
// changes that need a step-up first.

package main

import (
	"net/http"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
	"github.com/twostep/twostep/trust"
)

func (a *App) settingsRoutes(mux *routeMux) {
	mux.HandleFunc("GET /{$}", a.full(a.handleHome))
	mux.HandleFunc("GET /settings", a.full(a.handleSettings))
	mux.HandleFunc("POST /settings/primary", a.full(a.handlePrimary))
	mux.HandleFunc("POST /settings/devices/revoke", a.full(a.handleRevoke))
	mux.HandleFunc("POST /settings/devices/revoke-all", a.full(a.handleRevokeAll))
	for _, k := range changeKinds {
		mux.HandleFunc("POST /settings/"+string(k), a.full(a.askStepUp(k)))
	}
}

// homeData is the home page's view of the user's two-step verification.
type homeData struct {
	// Status is the user's two-step verification.
	Status *factor.Status
	// From is the date from which two-step verification becomes
	// mandatory, if it is still to come.
	From string
}

func (a *App) handleHome(w http.ResponseWriter, r *http.Request) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := &homeData{Status: st}
	if p := a.cfg.Policy; !p.RequiredFrom.IsZero() && a.Now().Before(p.RequiredFrom) {
		d.From = formatDate(langOf(r), p.RequiredFrom)
	}
	a.render(w, r, http.StatusOK, "home", &page{Title: "home_title", Data: d})
}

// settingsData is the settings page: methods, recovery codes and devices.
type settingsData struct {
	// Status is the user's two-step verification.
	Status *factor.Status
	// Devices are the user's trusted devices.
	Devices []trust.Device
	// Current is the ID of this browser's trusted device, if any.
	Current string
	// CanOff reports whether the user may turn two-step verification off.
	CanOff bool
	// Passkeys describes the user's passkeys by enrollment ID.
	Passkeys map[string]passkey.Info
}

func (a *App) handleSettings(w http.ResponseWriter, r *http.Request) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	devs, err := a.devices.List(r.Context(), state(r).sess.UserID, a.Now())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := &settingsData{Status: st, Devices: devs, CanOff: st.Enabled && !st.Required}
	if d.Passkeys, err = a.passkeyList(r); err != nil {
		a.serverError(w, r, err)
		return
	}
	d.Current, _ = trust.DeviceID(a.devices.TokenFromRequest(r))
	a.render(w, r, http.StatusOK, "settings", &page{Title: "settings_title", Data: d})
}

// handlePrimary makes a method the user's primary one, offered first at login.
func (a *App) handlePrimary(w http.ResponseWriter, r *http.Request) {
	if err := a.m.SetPrimary(r.Context(), state(r).sess.UserID, r.PostFormValue("id"), a.Now()); err != nil {
		a.flashErr(r, err)
	} else {
		a.flash(r, "flash_primary")
	}
	redirect(w, r, "/settings")
}

func (a *App) handleRevoke(w http.ResponseWriter, r *http.Request) {
	uid := state(r).sess.UserID
	if err := a.devices.Revoke(r.Context(), uid, r.PostFormValue("id"), uid, a.Now()); err != nil {
		a.flashErr(r, err)
	} else {
		a.flash(r, "flash_revoked")
	}
	redirect(w, r, "/settings")
}

func (a *App) handleRevokeAll(w http.ResponseWriter, r *http.Request) {
	uid := state(r).sess.UserID
	if err := a.devices.RevokeAll(r.Context(), uid, uid, a.Now()); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.devices.ClearCookie(w)
	a.flash(r, "flash_revoked_all")
	redirect(w, r, "/settings")
}

// askStepUp parks a sensitive change and asks for a valid code first:
// removing or replacing a method, turning two-step verification off and
// generating new recovery codes, so that an open session alone cannot
// weaken the account.
func (a *App) askStepUp(k changeKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := state(r).sess
		id := r.PostFormValue("id")
		if k == changeRemove && a.isPending(r, id) {
			a.done(r, a.m.Remove(r.Context(), factor.RemoveRequest{UserID: sess.UserID, EnrollmentID: id}, a.Now()), "flash_removed")
			redirect(w, r, "/settings")
			return
		}
		sess.Change, sess.StepCode = &change{Kind: k, EnrollmentID: id}, nil
		a.sessions.save(sess)
		redirect(w, r, stepUpStep.prefix)
	}
}

// askStepUpAgain parks c again when twostep refused it for want of a
// recent second step (err), and asks for a code first. The session's
// grant, if any, was refused or has lapsed: it goes.
func (a *App) askStepUpAgain(w http.ResponseWriter, r *http.Request, sess *Session, c *change, err error) {
	sess.Change, sess.StepCode, sess.Replaces, sess.StepUp = c, nil, "", nil
	sess.Flash = a.userMessage(r, err)
	a.sessions.save(sess)
	redirect(w, r, stepUpStep.prefix)
}

// grant returns the session's step-up grant while it lasts, and forgets
// one that has lapsed; empty when there is none.
func (a *App) grant(sess *Session) string {
	g := sess.StepUp
	if g == nil {
		return ""
	}
	if !a.Now().Before(g.Expires) {
		sess.StepUp = nil
		a.sessions.save(sess)
		return ""
	}
	return g.Token
}

// isPending reports whether id is one of the user's methods still waiting
// for its first code: removing that needs no second step.
func (a *App) isPending(r *http.Request, id string) bool {
	st, err := a.status(r)
	if err != nil {
		return false
	}
	for _, m := range st.Enrollments {
		if m.ID == id {
			return !m.Confirmed
		}
	}
	return false
}

// runChange carries out the parked change after a successful step-up,
// with grant, the step-up grant that Verify gave this session. Removing a
// method and turning two-step verification off use it at once; a new
// method or number is made on a later page, so the session keeps the
// grant until then (and forgets it once used or lapsed).
func (a *App) runChange(w http.ResponseWriter, r *http.Request, sess *Session, grant string) {
	c := sess.Change
	sess.Change, sess.StepUp = nil, nil
	if c != nil && (c.Kind == changeAdd || c.Kind == changeReplace) {
		sess.StepUp = &stepUpGrant{Token: grant, Expires: a.Now().Add(a.cfg.Policy.StepUpWindow)}
	}
	a.sessions.save(sess)
	if c == nil {
		redirect(w, r, "/settings")
		return
	}
	ctx, now := r.Context(), a.Now()
	switch c.Kind {
	case changeRemove:
		a.done(r, a.m.Remove(ctx, factor.RemoveRequest{UserID: sess.UserID, EnrollmentID: c.EnrollmentID, StepUp: grant}, now), "flash_removed")
	case changeDisable:
		a.done(r, a.m.Disable(ctx, factor.DisableRequest{UserID: sess.UserID, StepUp: grant}, now), "flash_disabled")
	case changeReplace:
		a.startReplace(w, r, sess, c.EnrollmentID)
		return
	case changeAdd:
		redirect(w, r, setupPath(c.Method))
		return
	case changeRecovery:
		a.newRecoveryCodes(w, r, "/settings")
		return
	}
	redirect(w, r, "/settings")
}

// done flashes twostep's message for err, or the success text.
func (a *App) done(r *http.Request, err error, okKey string) {
	if err != nil {
		a.flashErr(r, err)
		return
	}
	a.flash(r, okKey)
}

// startReplace sends the user to the phone step to enter a new number,
// which replaces the old one once its code is confirmed; until then the
// old number keeps working.
func (a *App) startReplace(w http.ResponseWriter, r *http.Request, sess *Session, id string) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	for _, m := range st.Enrollments {
		if m.ID == id && m.Confirmed && (m.Kind == factor.KindSMS || m.Kind == factor.KindVoice) {
			sess.Replaces = id
			a.sessions.save(sess)
			redirect(w, r, "/setup/phone?kind="+string(m.Kind))
			return
		}
	}
	redirect(w, r, "/settings")
}
