// Login: the second step after the password, with a code, a keypad call
// or a recovery code, and "remember this device"; the same pages confirm
// a sensitive change in the settings (a step-up). Also the request's one
// Status and twostep's error texts, which every twostep page uses.

package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/trust"
)

// statusCache holds the user's Status for the rest of the request, so
// that the guards, the handler and the template share one read. Handlers
// that change the user's enrollments redirect afterwards (post, redirect,
// get), so a request never reads Status after changing it.
type statusCache struct {
	userID string
	st     *factor.Status
}

// status reports the session user's two-step verification, read once per
// request.
func (a *App) status(r *http.Request) (*factor.Status, error) {
	rs := state(r)
	uid := rs.sess.UserID
	if rs.status.st != nil && rs.status.userID == uid {
		return rs.status.st, nil
	}
	st, err := a.m.Status(r.Context(), factor.StatusRequest{UserID: uid}, a.Now())
	if err != nil {
		return nil, err
	}
	rs.status = statusCache{userID: uid, st: st}
	return st, nil
}

// afterPassword continues a login whose password was right: a new session
// ID, then the second step, the setup offer, or straight in on a
// remembered device.
func (a *App) afterPassword(w http.ResponseWriter, r *http.Request, usr *User) {
	rs := state(r)
	sess := rs.sess
	*sess = Session{ID: sess.ID, UserID: usr.ID, Level: levelPassword, Created: a.Now(), PasswordAt: a.Now()}
	a.rotate(w, r, sess)
	token := a.devices.TokenFromRequest(r)
	st, err := a.m.Status(r.Context(), factor.StatusRequest{UserID: usr.ID, DeviceToken: token, Devices: a.devices}, a.Now())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	rs.status = statusCache{userID: usr.ID, st: st}
	if token != "" && !st.DeviceTrusted {
		a.devices.ClearCookie(w)
	}
	switch {
	case st.Enabled && st.DeviceTrusted:
		a.completeLogin(w, r, sess, "/") // remembered device: no code
	case st.Enabled:
		redirect(w, r, "/login/2fa") // choose among st.Offer, primary first
	default:
		redirect(w, r, "/setup/offer") // st.GraceDaysLeft, st.CanSkip, st.NeedsActivation
	}
}

// completeLogin finishes the login after the second step (or a skip):
// a new session ID again, and the session is logged in.
func (a *App) completeLogin(w http.ResponseWriter, r *http.Request, sess *Session, next string) {
	sess.Level, sess.StepCode, sess.Change, sess.StepUp = levelFull, nil, nil, nil
	a.rotate(w, r, sess)
	redirect(w, r, next)
}

// step is one use of the second-step pages: completing a login, or
// confirming a sensitive change in the settings (a step-up).
type step struct {
	prefix string // "/login/2fa" or "/settings/verify"
	login  bool
}

var (
	loginStep  = step{prefix: "/login/2fa", login: true}
	stepUpStep = step{prefix: "/settings/verify"}
)

func (a *App) loginRoutes(mux *routeMux) {
	for _, s := range []step{loginStep, stepUpStep} {
		mux.HandleFunc("GET "+s.prefix, a.stepGuard(s, a.handleStepForm))
		mux.HandleFunc("POST "+s.prefix, a.stepGuard(s, a.handleStepVerify))
		mux.HandleFunc("POST "+s.prefix+"/send", a.stepGuard(s, a.handleStepSend))
		mux.HandleFunc("POST "+s.prefix+"/resend", a.stepGuard(s, a.handleStepResend))
		mux.HandleFunc("GET "+s.prefix+"/status", a.stepGuard(s, func(w http.ResponseWriter, r *http.Request, _ step) {
			a.codeStatus(w, r, state(r).sess.StepCode)
		}))
	}
	mux.HandleFunc("GET /login/recovery", a.stepGuard(loginStep, a.handleRecoveryForm))
	mux.HandleFunc("POST /login/recovery", a.stepGuard(loginStep, a.handleRecoveryLogin))
}

// stepGuard lets only the right sessions in: halfway through a login for
// the login step, logged in for a step-up.
func (a *App) stepGuard(s step, h func(http.ResponseWriter, *http.Request, step)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch lvl := state(r).sess.Level; {
		case s.login && lvl == levelFull:
			redirect(w, r, "/")
		case lvl == levelNone || (!s.login && lvl != levelFull):
			redirect(w, r, "/login")
		default:
			h(w, r, s)
		}
	}
}

// rememberOption is one choice of "remember this device".
type rememberOption struct {
	// Value is the duration the form sends, such as "12h0m0s".
	Value string
	// Label is how the page names it, such as "12 hours".
	Label string
}

func (a *App) rememberOptions(lang string) []rememberOption {
	var out []rememberOption
	for _, d := range a.devices.Durations() {
		out = append(out, rememberOption{Value: d.String(), Label: durationName(lang, d)})
	}
	return out
}

// codeData is the page that asks for a delivered code, or waits for the
// keypad call to be answered: the second step, or a new method's first
// code.
type codeData struct {
	// Ch is the code on its way or the keypad call, if any.
	Ch *sentCode
	// Action is where the code form posts.
	Action string
	// Resend is where the form that asks for a new code posts.
	Resend string
	// Poll is what the keypad page polls for the call's state.
	Poll string
	// Remember lists the "remember this device" choices at login.
	Remember []rememberOption
	// Methods are the user's methods to choose from, in policy order,
	// primary first (Status.Offer).
	Methods []factor.EnrollmentInfo
	// Method is the chosen method.
	Method factor.EnrollmentInfo
	// Current is the chosen method's ID.
	Current string
	// Purpose is the chosen method's kind.
	Purpose string
	// Recovery reports whether the page offers a recovery code instead.
	Recovery bool
	// Keypad reports whether voice keypad calls are possible.
	Keypad bool
}

// stepData fills the second-step page for the chosen method: the one in
// the URL, else the one a code went to, else the first Status offers.
func (a *App) stepData(r *http.Request, s step, st *factor.Status) *codeData {
	sess := state(r).sess
	cur := r.URL.Query().Get("m")
	if cur == "" && sess.StepCode != nil {
		cur = sess.StepCode.EnrollmentID
	}
	i := max(0, slices.IndexFunc(st.Offer, func(m factor.EnrollmentInfo) bool { return m.ID == cur }))
	d := &codeData{Methods: st.Offer, Action: s.prefix, Resend: s.prefix + "/resend", Poll: s.prefix + "/status", Recovery: s.login, Keypad: a.keypadAvailable()}
	if len(st.Offer) > 0 {
		d.Method, d.Current, d.Purpose = st.Offer[i], st.Offer[i].ID, string(st.Offer[i].Kind)
	}
	if ch := sess.StepCode; ch != nil && ch.EnrollmentID == d.Current {
		d.Ch = ch
	}
	if s.login {
		d.Remember = a.rememberOptions(langOf(r))
	}
	return d
}

func (a *App) handleStepForm(w http.ResponseWriter, r *http.Request, s step) {
	a.showStep(w, r, s, "")
}

func (a *App) showStep(w http.ResponseWriter, r *http.Request, s step, errText string) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := a.stepData(r, s, st)
	if len(d.Methods) == 0 {
		redirect(w, r, map[bool]string{true: "/setup/offer", false: "/settings"}[s.login])
		return
	}
	title := "step_title"
	if s.login {
		title = "login2fa_title"
	}
	a.render(w, r, http.StatusOK, "login2fa", &page{Title: title, Error: errText, Data: d})
}

// handleStepSend sends a code to (or calls) the chosen phone or address.
func (a *App) handleStepSend(w http.ResponseWriter, r *http.Request, s step) {
	sess := state(r).sess
	id := r.PostFormValue("m")
	req := factor.ChallengeRequest{UserID: sess.UserID, EnrollmentID: id, Language: langOf(r), Keypad: r.PostFormValue("mode") == "keypad" && a.keypadAvailable()}
	sent, err := a.challenge(r, req)
	if err != nil {
		a.flashErr(r, err)
		redirect(w, r, s.prefix+"?m="+id)
		return
	}
	sess.StepCode = newSentCode(sent, id)
	a.sessions.save(sess)
	redirect(w, r, s.prefix+"?m="+id)
}

// newSentCode keeps what the page shows of a code that went out to
// enrollmentID: twostep reports the masked address with it.
func newSentCode(s *factor.Sent, enrollmentID string) *sentCode {
	return &sentCode{ID: s.ChallengeID, EnrollmentID: enrollmentID, Kind: string(s.Kind), Masked: s.Masked,
		Keypad: s.ScreenDigits != "", ScreenDigits: s.ScreenDigits, ResendAt: s.ResendAt}
}

// handleStepVerify checks the code (or the answered keypad call).
func (a *App) handleStepVerify(w http.ResponseWriter, r *http.Request, s step) {
	sess := state(r).sess
	at := factor.Answer{UserID: sess.UserID, EnrollmentID: r.PostFormValue("m"), Code: r.PostFormValue("code")}
	if ch := sess.StepCode; ch != nil && ch.EnrollmentID == at.EnrollmentID {
		at.ChallengeID = ch.ID
	}
	res, err := a.m.Verify(r.Context(), at, a.Now())
	if err != nil {
		a.showStep(w, r, s, a.userMessage(r, err)) // factor.UserMessage: Dutch or English
		return
	}
	a.stepPassed(w, r, s, res)
}

// stepPassed goes on after a passed second step (a code, or a passkey):
// the parked change of a step-up, or the end of the login, remembering
// the device if asked.
func (a *App) stepPassed(w http.ResponseWriter, r *http.Request, s step, res factor.Result) {
	sess := state(r).sess
	sess.StepCode = nil
	if !s.login {
		a.runChange(w, r, sess, res.StepUp) // the grant of this session's step-up
		return
	}
	if d, ok := a.rememberChoice(r.PostFormValue("remember")); ok {
		token, err := a.devices.Remember(r.Context(), sess.UserID, trust.Label(r.UserAgent()), d, a.Now())
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		a.devices.SetCookie(w, token, d)
	}
	a.completeLogin(w, r, sess, "/") // new session ID
}

// rememberChoice parses the "remember this device" choice.
func (a *App) rememberChoice(v string) (time.Duration, bool) {
	d, err := time.ParseDuration(v)
	return d, err == nil && slices.Contains(a.devices.Durations(), d)
}

// handleStepResend sends a new code for the second step.
func (a *App) handleStepResend(w http.ResponseWriter, r *http.Request, s step) {
	sess := state(r).sess
	if sent, ok := a.resend(r, sess.StepCode); ok {
		sess.StepCode = sent
		a.sessions.save(sess)
	}
	redirect(w, r, s.prefix)
}

// resend sends a new code for ch, which replaces the old one, and sets
// the flash message. It reports false, with nothing to keep, when there
// was no code or twostep refused (the flash says why).
func (a *App) resend(r *http.Request, ch *sentCode) (*sentCode, bool) {
	if ch == nil {
		return nil, false
	}
	sess := state(r).sess
	sent, err := a.m.Resend(r.Context(), sess.UserID, ch.ID, langOf(r), a.Now())
	if err != nil {
		a.flashErr(r, err)
		return nil, false
	}
	sess.Flash = tr(langOf(r), "flash_resent")
	return newSentCode(sent, ch.EnrollmentID), true
}

// codeStatus tells the keypad page whether the call for ch was answered:
// {"state":"pending"|"approved"|"used"|"expired"}. A request on the phone
// app may also be "denied", with a message (pushStatus).
func (a *App) codeStatus(w http.ResponseWriter, r *http.Request, ch *sentCode) {
	if ch != nil && ch.Kind == string(push.Kind) && a.push != nil {
		a.pushStatus(w, r, ch)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if ch == nil {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"state":"none"}`))
		return
	}
	st, err := a.m.ChallengeStatus(r.Context(), state(r).sess.UserID, ch.ID, a.Now())
	if err != nil {
		st = factor.ChallengeExpired
	}
	json.NewEncoder(w).Encode(map[string]string{"state": string(st)})
}

// handleRecoveryForm asks for a recovery code; a user who has none is told
// who can help instead.
func (a *App) handleRecoveryForm(w http.ResponseWriter, r *http.Request, _ step) {
	st, err := a.status(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "recovery_login", &page{Title: "recovery_title", Data: st.RecoveryCodesLeft})
}

// handleRecoveryLogin completes the login with a recovery code, each
// usable once. Using one signs out every remembered device.
func (a *App) handleRecoveryLogin(w http.ResponseWriter, r *http.Request, _ step) {
	sess := state(r).sess
	res, err := a.codes.Redeem(r.Context(), sess.UserID, r.PostFormValue("code"), a.Now())
	if err != nil {
		a.render(w, r, http.StatusOK, "recovery_login", &page{Title: "recovery_title", Error: a.userMessage(r, err), Data: -1})
		return
	}
	key := "flash_recovery_used"
	if res.Low {
		key = "flash_recovery_low"
	}
	sess.Flash = trf(langOf(r), key, res.Remaining)
	a.completeLogin(w, r, sess, "/")
}

// userMessage is twostep's text for err in the request's language.
func (a *App) userMessage(r *http.Request, err error) string {
	if !isUserError(err) {
		a.log.Error("webapp: twostep", "path", r.URL.Path, "error", err.Error())
	}
	return factor.UserMessage(err, langOf(r))
}

// flashErr shows twostep's text for err on the next page, as an error.
func (a *App) flashErr(r *http.Request, err error) {
	st := state(r)
	st.sess.Flash, st.sess.FlashErr = a.userMessage(r, err), true
	a.sessions.save(st.sess)
}

// isUserError reports whether err is about the user's input or policy
// rather than something broken.
func isUserError(err error) bool {
	for _, e := range []error{factor.ErrInvalidCode, factor.ErrLocked, factor.ErrMalformed, factor.ErrRateLimited,
		factor.ErrNotAllowed, factor.ErrNotFound, factor.ErrActivationRequired, factor.ErrLastEnrollment, factor.ErrStepUpRequired} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
