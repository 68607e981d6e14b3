package main

import (
	"net/http"
	"slices"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/trust"
)

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
		mux.HandleFunc("POST "+s.prefix+"/resend", a.stepGuard(s, func(w http.ResponseWriter, r *http.Request, s step) {
			a.resend(w, r, s.prefix)
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

// offer is the methods the user may choose from, primary first. Email is
// left out beside other methods: it is only a fallback.
func offer(st *factor.Status) []factor.EnrollmentInfo {
	if len(st.Offer) <= 1 {
		return st.Offer
	}
	return slices.DeleteFunc(slices.Clone(st.Offer), func(m factor.EnrollmentInfo) bool { return m.Kind == factor.KindEmail })
}

// stepData fills the second-step page for the chosen method.
func (a *App) stepData(r *http.Request, s step, st *factor.Status) *codeData {
	methods := offer(st)
	sess := state(r).sess
	cur := r.URL.Query().Get("m")
	if cur == "" && sess.Challenge != nil && !sess.Challenge.Confirm {
		cur = sess.Challenge.EnrollmentID
	}
	i := slices.IndexFunc(methods, func(m factor.EnrollmentInfo) bool { return m.ID == cur })
	if i < 0 {
		i = 0
	}
	d := &codeData{Methods: methods, Action: s.prefix, Resend: s.prefix + "/resend", Recovery: s.login, Keypad: a.keypadAvailable()}
	if len(methods) > 0 {
		d.Method, d.Current, d.Purpose = methods[i], methods[i].ID, string(methods[i].Kind)
	}
	if ch := sess.Challenge; ch != nil && !ch.Confirm && ch.EnrollmentID == d.Current {
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
	sent, err := a.m.Challenge(r.Context(), req, a.Now())
	if err != nil {
		a.flashErr(r, err)
		redirect(w, r, s.prefix+"?m="+id)
		return
	}
	sess.Challenge = newChallenge(sent, id, false)
	a.sessions.save(sess)
	redirect(w, r, s.prefix+"?m="+id)
}

// handleStepVerify checks the code (or the answered keypad call).
func (a *App) handleStepVerify(w http.ResponseWriter, r *http.Request, s step) {
	sess := state(r).sess
	at := factor.Answer{UserID: sess.UserID, EnrollmentID: r.PostFormValue("m"), Code: r.PostFormValue("code")}
	if ch := sess.Challenge; ch != nil && !ch.Confirm && ch.EnrollmentID == at.EnrollmentID {
		at.ChallengeID = ch.ID
	}
	if _, err := a.m.Verify(r.Context(), at, a.Now()); err != nil {
		a.showStep(w, r, s, a.userMessage(r, err))
		return
	}
	sess.Challenge = nil
	if !s.login {
		a.runPending(w, r, sess)
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
	a.completeLogin(w, r, sess, "/")
}

// rememberChoice parses the "remember this device" choice.
func (a *App) rememberChoice(v string) (time.Duration, bool) {
	d, err := time.ParseDuration(v)
	return d, err == nil && slices.Contains(a.devices.Durations(), d)
}

func (a *App) handleRecoveryForm(w http.ResponseWriter, r *http.Request, _ step) {
	a.render(w, r, http.StatusOK, "recovery_login", &page{Title: "recovery_title"})
}

// handleRecoveryLogin completes the login with a recovery code, each
// usable once. Using one signs out every remembered device.
func (a *App) handleRecoveryLogin(w http.ResponseWriter, r *http.Request, _ step) {
	sess := state(r).sess
	res, err := a.codes.Redeem(r.Context(), sess.UserID, r.PostFormValue("code"), a.Now())
	if err != nil {
		a.render(w, r, http.StatusOK, "recovery_login", &page{Title: "recovery_title", Error: a.userMessage(r, err)})
		return
	}
	key := "flash_recovery_used"
	if res.Low {
		key = "flash_recovery_low"
	}
	sess.Flash = trf(langOf(r), key, res.Remaining)
	a.completeLogin(w, r, sess, "/")
}
