// Setup, continued: a phone number (SMS or voice call) or an email
// address, enrolled and confirmed with the first code sent to it.

package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/phone"
)

// phones parses numbers for both SMS and voice. The phone form offers
// every country it allows, the Netherlands first and preselected
// (Parser.Countries).
var phones = phone.Parser{DefaultRegion: "NL", AllowedRegions: []string{"NL", "BE", "DE"}}

// phoneForm is the phone step: a number for SMS or voice calls.
type phoneForm struct {
	// Kind is "sms" or "voice".
	Kind string
	// Country is the chosen country calling code, such as "31".
	Country string
	// Number is the number as typed.
	Number string
	// Label is the name the user gave the number.
	Label string
	// Keypad reports whether the user chose a keypad call.
	Keypad bool
	// KeypadOK reports whether keypad calls are possible.
	KeypadOK bool
	// Replacing reports whether the number replaces one set up before.
	Replacing bool
	// Countries are the countries to choose from.
	Countries any
}

func (a *App) keypadAvailable() bool { return a.outbox != nil || a.keypad != nil }

func (a *App) handlePhoneForm(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if kind != "sms" && kind != "voice" {
		kind = "sms"
	}
	if a.askBeforeAdding(w, r, factor.Kind(kind)) {
		return
	}
	f := &phoneForm{Kind: kind, Country: "31", KeypadOK: a.keypadAvailable(), Replacing: state(r).sess.Replaces != "", Countries: phones.Countries()}
	a.render(w, r, http.StatusOK, "setup_phone", &page{Title: "phone_title_" + kind, Data: f})
}

// handlePhone enrols the number and sends the first code (or calls).
func (a *App) handlePhone(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	f := &phoneForm{
		Kind: r.PostFormValue("kind"), Country: r.PostFormValue("country"), Number: r.PostFormValue("number"),
		Label: strings.TrimSpace(r.PostFormValue("label")), Keypad: r.PostFormValue("mode") == "keypad",
		KeypadOK: a.keypadAvailable(), Replacing: sess.Replaces != "", Countries: phones.Countries(),
	}
	if f.Kind != "sms" && f.Kind != "voice" {
		a.errorPage(w, r, http.StatusBadRequest, "err_bad_request")
		return
	}
	e := factor.EnrollRequest{UserID: sess.UserID, Kind: factor.Kind(f.Kind), Address: fullNumber(f.Country, f.Number), Label: f.Label, Replaces: sess.Replaces}
	err := a.enrolAndSend(r, sess, e, f.Keypad && f.Kind == "voice" && f.KeypadOK)
	if errors.Is(err, factor.ErrStepUpRequired) {
		// The second step that allowed the change lapsed while the user
		// typed (or there was none): ask for a code, then come back here.
		a.askStepUpAgain(w, r, sess, addChange(sess, e.Kind), err)
		return
	}
	if err != nil {
		a.render(w, r, http.StatusOK, "setup_phone", &page{Title: "phone_title_" + f.Kind, Error: a.userMessage(r, err), Data: f})
		return
	}
	if sess.LinkSentTo != "" {
		redirect(w, r, linkSentPath)
		return
	}
	redirect(w, r, "/setup/confirm")
}

// fullNumber joins the chosen country code and the typed number the way
// people write a national number: a leading 0 is dropped. A number typed with its own
// country code (+32…, 0032…) is taken as typed.
func fullNumber(dial, number string) string {
	n := strings.TrimSpace(number)
	if strings.HasPrefix(n, "+") || strings.HasPrefix(n, "00") {
		return n
	}
	for _, c := range phones.Countries() {
		if strconv.Itoa(c.CallingCode) == dial {
			return "+" + dial + " " + strings.TrimPrefix(n, "0")
		}
	}
	return n
}

// enrolAndSend stores a pending method and sends its first code. It
// passes the session's step-up grant, if any, which is used up once the
// method is stored and its code sent; when the code cannot be sent the
// method goes again and the grant stays, for another try.
func (a *App) enrolAndSend(r *http.Request, sess *Session, e factor.EnrollRequest, keypad bool) error {
	ctx, now := r.Context(), a.Now()
	e.StepUp = a.grant(sess)
	e.Language = langOf(r)
	en, err := a.m.Enroll(ctx, e, now)
	if err != nil {
		return err
	}
	if en.LinkSentTo != "" {
		a.awaitLink(sess, en) // no code before the mailed link is opened (setup_link.go)
		return nil
	}
	sent, err := a.m.Challenge(ctx, factor.ChallengeRequest{UserID: sess.UserID, EnrollmentID: en.ID, Language: langOf(r), Keypad: keypad}, now)
	if err != nil {
		a.m.Remove(ctx, factor.RemoveRequest{UserID: sess.UserID, EnrollmentID: en.ID}, now) // a pending method may always go
		return err
	}
	sess.NewCode, sess.StepUp = newSentCode(sent, en.ID), nil
	a.sessions.save(sess)
	return nil
}

func (a *App) handleEmailForm(w http.ResponseWriter, r *http.Request) {
	if a.askBeforeAdding(w, r, factor.KindEmail) {
		return
	}
	usr, _ := a.users.byID(r.Context(), state(r).sess.UserID)
	addr := ""
	if usr != nil {
		addr = usr.Email
	}
	a.render(w, r, http.StatusOK, "setup_email", &page{Title: "email_title", Data: addr})
}

func (a *App) handleEmail(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	addr := strings.TrimSpace(r.PostFormValue("email"))
	e := factor.EnrollRequest{UserID: sess.UserID, Kind: factor.KindEmail, Address: addr}
	err := a.enrolAndSend(r, sess, e, false)
	if errors.Is(err, factor.ErrStepUpRequired) {
		a.askStepUpAgain(w, r, sess, addChange(sess, e.Kind), err)
		return
	}
	if err != nil {
		a.render(w, r, http.StatusOK, "setup_email", &page{Title: "email_title", Error: a.userMessage(r, err), Data: addr})
		return
	}
	redirect(w, r, "/setup/confirm")
}

// confirmData is the page that asks for a new method's first code.
func confirmData(ch *sentCode) *codeData {
	return &codeData{Ch: ch, Action: "/setup/confirm", Resend: "/setup/resend", Poll: "/setup/confirm/status"}
}

func (a *App) handleConfirmForm(w http.ResponseWriter, r *http.Request) {
	ch := state(r).sess.NewCode
	if ch == nil {
		redirect(w, r, "/setup")
		return
	}
	a.render(w, r, http.StatusOK, "setup_confirm", &page{Title: "confirm_title", Data: confirmData(ch)})
}

func (a *App) handleConfirm(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	ch := sess.NewCode
	if ch == nil {
		redirect(w, r, "/setup")
		return
	}
	res, err := a.m.Confirm(r.Context(), factor.Answer{UserID: sess.UserID, ChallengeID: ch.ID, Code: r.PostFormValue("code")}, a.Now())
	if err != nil {
		a.render(w, r, http.StatusOK, "setup_confirm", &page{Title: "confirm_title", Error: a.userMessage(r, err), Data: confirmData(ch)})
		return
	}
	sess.NewCode, sess.Replaces = nil, ""
	a.methodConfirmed(w, r, sess, res.Enabled)
}

// handleResend sends a new first code to the method being set up.
func (a *App) handleResend(w http.ResponseWriter, r *http.Request) {
	sess := state(r).sess
	if sent, ok := a.resend(r, sess.NewCode); ok {
		sess.NewCode = sent
		a.sessions.save(sess)
	}
	redirect(w, r, "/setup/confirm")
}

// handleConfirmStatus tells the keypad page whether the call that
// confirms a new number was answered.
func (a *App) handleConfirmStatus(w http.ResponseWriter, r *http.Request) {
	a.codeStatus(w, r, state(r).sess.NewCode)
}
