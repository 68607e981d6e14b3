// Phone app: the push method (package push). Its wiring, the endpoint the
// app talks to, the setup page with the QR code, and the login's wait for
// the approval on the phone. The login page itself (login.go) and the
// settings treat it like any other method.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/trust"
)

// pushPath is where the phone app reaches the app: POST
// /twostep/push/register, /poll and /answer (see push/PROTOCOL.md).
const pushPath = "/twostep/push"

// newPhone is the phone app being set up, until the app has registered.
type newPhone struct {
	// EnrollmentID is the pending push enrollment.
	EnrollmentID string
	// URI is the enrolment URI, with its one-time secret: the QR code's
	// content, also shown as text for the command-line phone.
	URI string
	// QR is the data URI of the QR code's PNG.
	QR string
}

// pushURL is the URL at which phones reach the push endpoint:
// cfg.PushURL, or in development mode on a loopback address the listen
// address itself. Empty means that the app offers no phone app.
func pushURL(cfg Config) string {
	if cfg.PushURL != "" {
		return cfg.PushURL
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if !cfg.Dev || err != nil || port == "0" || (host != "localhost" && host != "127.0.0.1" && host != "::1") {
		return ""
	}
	return "http://" + net.JoinHostPort(host, port) + pushPath
}

// addPush offers the phone app when phones can reach the app. The Factor
// is its own Sender: it records the sign-in request for the app to poll.
// Phones in this app only poll (no FCM or APNs account is configured);
// in development mode each request is also shown in the outbox.
func (a *App) addPush(cfg Config, fs []factor.Factor, router factor.Router) ([]factor.Factor, error) {
	u := pushURL(cfg)
	if u == "" {
		return fs, nil
	}
	f, err := push.New(push.Config{URL: u, Issuer: cfg.AppName, Alerts: pushAlerts{a}, Clock: func() time.Time { return a.Now() }})
	if err != nil {
		return nil, err
	}
	a.push = f
	router[push.Kind] = f
	if a.outbox != nil {
		router[push.Kind] = factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
			if err := f.Send(ctx, m); err != nil {
				return err
			}
			return a.outbox.Send(ctx, m)
		})
	}
	return append(fs, f), nil
}

// pushAlerts tells the app of a sign-in that the user denied on the phone
// with "not me". A real app would email the user; this one logs it (the
// Manager's audit event is logged too).
type pushAlerts struct{ a *App }

// Event logs the suspicious sign-in.
func (p pushAlerts) Event(_ context.Context, e factor.Event) {
	p.a.log.Warn("webapp: a sign-in was denied on the phone app as not me", "user", e.UserID, "enrollment", e.EnrollmentID)
}

// pushSetupRoutes adds the setup pages of the phone app, when it is on
// offer. The app's registration confirms the new method by itself, which
// may turn two-step verification on halfway through a login: the page
// that waits for it and the step after it only need the session that
// started the setup (sess.NewPhone), as the first code of any other
// method would.
func (a *App) pushSetupRoutes(mux *routeMux) {
	if a.push == nil {
		return
	}
	mux.HandleFunc("GET /setup/push", a.setup(a.handlePushForm))
	mux.HandleFunc("POST /setup/push", a.halfway(a.handlePushDone))
	mux.HandleFunc("GET /setup/push/status", a.halfway(a.handlePushSetupStatus))
}

func (a *App) handlePushForm(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if sess.NewPhone == nil || r.URL.Query().Has("new") {
		sess.NewPhone = nil
		if a.askBeforeAdding(w, r, push.Kind) {
			return
		}
		err := a.startPush(r, sess)
		if errors.Is(err, factor.ErrStepUpRequired) {
			a.askStepUpAgain(w, r, sess, addChange(sess, push.Kind), err)
			return
		}
		if err != nil {
			a.flashErr(r, err)
			redirect(w, r, "/setup")
			return
		}
	}
	a.render(w, r, http.StatusOK, "setup_push", &page{Title: "push_title", Data: sess.NewPhone})
}

// startPush enrols a new phone app, with the session's step-up grant if it
// has one (then used up), and keeps the QR code in the session until the
// app has registered.
func (a *App) startPush(r *http.Request, sess *Session) error {
	usr, err := a.users.byID(r.Context(), sess.UserID)
	if err != nil || usr == nil {
		return errors.Join(err, factor.ErrNotFound)
	}
	s, err := a.push.Enroll(r.Context(), push.SetupRequest{UserID: sess.UserID, Account: usr.Email, StepUp: a.grant(sess)}, a.Now())
	if err != nil {
		return err
	}
	qr, err := s.DataURI(240)
	if err != nil {
		return err
	}
	sess.NewPhone, sess.StepUp = &newPhone{EnrollmentID: s.Enrolled.ID, URI: s.URI, QR: qr}, nil
	a.sessions.save(sess)
	return nil
}

// phoneState reports whether the phone being set up has registered:
// "registered", "pending" or "expired" (the setup lapsed or was removed).
func (a *App) phoneState(r *http.Request, p *newPhone) (string, error) {
	if p == nil {
		return "expired", nil
	}
	st, err := a.status(r)
	if err != nil {
		return "", err
	}
	for _, e := range st.Enrollments {
		if e.ID == p.EnrollmentID && e.Confirmed {
			return "registered", nil
		}
		if e.ID == p.EnrollmentID {
			return "pending", nil
		}
	}
	return "expired", nil
}

// onlyMethod reports whether the user has one confirmed method: the phone
// app, which registered on the phone, has just turned two-step
// verification on.
func (a *App) onlyMethod(r *http.Request) bool {
	st, err := a.status(r)
	if err != nil {
		return false
	}
	n := 0
	for _, e := range st.Enrollments {
		if e.Confirmed {
			n++
		}
	}
	return n == 1
}

// handlePushSetupStatus tells the setup page, which polls, whether the
// app has registered.
func (a *App) handlePushSetupStatus(w http.ResponseWriter, r *http.Request) {
	s, err := a.phoneState(r, state(r).sess.NewPhone)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	msg := ""
	if s == "expired" {
		msg = tr(langOf(r), "push_setup_expired")
	}
	writeState(w, s, msg)
}

// handlePushDone continues once the app has registered: the page's script
// posts it, or the user does after scanning.
func (a *App) handlePushDone(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	s, err := a.phoneState(r, sess.NewPhone)
	switch {
	case err != nil:
		a.serverError(w, r, err)
	case s == "registered":
		sess.NewPhone = nil
		a.methodConfirmed(w, r, sess, a.onlyMethod(r))
	case s == "expired":
		sess.NewPhone = nil
		a.flash(r, "push_setup_expired")
		redirect(w, r, "/setup")
	default:
		a.render(w, r, http.StatusOK, "setup_push", &page{Title: "push_title", Error: tr(langOf(r), "push_not_registered"), Data: sess.NewPhone})
	}
}

// challenge starts the second step on the chosen method: a push
// enrollment gets a sign-in request on the phone, through the push
// Factor (its cooldown, its pause after "not me" and the browser shown in
// the app); every other kind the Manager's Challenge.
func (a *App) challenge(r *http.Request, req factor.ChallengeRequest) (*factor.Sent, error) {
	if a.push == nil || !a.isKind(r, req.EnrollmentID, push.Kind) {
		return a.m.Challenge(r.Context(), req, a.Now())
	}
	lr := push.LoginRequest{UserID: req.UserID, EnrollmentID: req.EnrollmentID, Language: req.Language,
		Context: push.Context{App: a.cfg.AppName, Browser: trust.Label(r.UserAgent())}}
	return a.push.Challenge(r.Context(), lr, a.Now())
}

// isKind reports whether id is one of the session user's methods of kind k.
func (a *App) isKind(r *http.Request, id string, k factor.Kind) bool {
	st, err := a.status(r)
	if err != nil {
		return false
	}
	for _, e := range st.Enrollments {
		if e.ID == id {
			return e.Kind == k
		}
	}
	return false
}

// pushStatus tells the login page, which polls, where the sign-in request
// on the phone stands, with the text to announce when it ended without
// approval: denied ("not me" says it was reported), a wrong number, or
// timed out.
func (a *App) pushStatus(w http.ResponseWriter, r *http.Request, ch *sentCode) {
	ap, err := a.push.Status(r.Context(), state(r).sess.UserID, ch.ID, a.Now())
	if err != nil {
		ap = push.Approval{State: push.StateExpired}
	}
	lang, msg := langOf(r), ""
	switch ap.State {
	case push.StateDenied:
		msg = tr(lang, "push_denied_"+ap.Reason)
	case push.StateExpired, push.StateUsed:
		msg = tr(lang, "push_expired")
	}
	writeState(w, string(ap.State), msg)
}

// writeState writes what a polling page reads: {"state": …, "message": …}.
func writeState(w http.ResponseWriter, s, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"state": s, "message": msg})
}
