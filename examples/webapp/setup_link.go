// Setup, continued: a changed phone number confirmed by email first. With
// -confirm-phone-change the new number waits for the link twostep mails
// to the account's address; its page sends the first code to the new
// number, which the confirm step then checks as usual.

package main

import (
	"context"
	"net/http"

	"github.com/twostep/twostep/factor"
)

// The pages of a change of number confirmed by email.
const (
	// linkSentPath says where the link went.
	linkSentPath = "/setup/phone/email"
	// linkPath is the page the mailed link opens.
	linkPath = "/phone/confirm"
)

func (a *App) linkRoutes(mux *routeMux) {
	mux.HandleFunc("GET "+linkSentPath, a.full(a.handleLinkSent))
	mux.HandleFunc("GET "+linkPath, a.full(a.handleLinkForm))
	mux.HandleFunc("POST "+linkPath, a.full(a.handleLink))
}

// changeByEmail is the policy that mails the link, when the app was
// started with -confirm-phone-change: the link opens linkPath on the
// app's public URL, and goes to the address of the user's account.
func (a *App) changeByEmail() factor.ChangeByEmail {
	if !a.cfg.ConfirmPhoneChange {
		return factor.ChangeByEmail{}
	}
	return factor.ChangeByEmail{URL: a.cfg.publicURL() + linkPath, Accounts: accountEmails{a.users}}
}

// accountEmails tells twostep the address of a user's account.
type accountEmails struct{ users *users }

// AccountEmail returns the address the user signed up with.
func (b accountEmails) AccountEmail(ctx context.Context, userID string) (string, error) {
	u, err := b.users.byID(ctx, userID)
	if err == nil && u == nil {
		err = factor.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// awaitLink remembers that the new number waits for its link, which went
// to the masked address en.LinkSentTo; the step-up grant is used up.
func (a *App) awaitLink(sess *Session, en *factor.Enrolled) {
	sess.LinkSentTo, sess.StepUp = en.LinkSentTo, nil
	a.sessions.save(sess)
}

// handleLinkSent asks the user to open the mail.
func (a *App) handleLinkSent(w http.ResponseWriter, r *http.Request) {
	to := state(r).sess.LinkSentTo
	if to == "" {
		redirect(w, r, "/settings")
		return
	}
	a.render(w, r, http.StatusOK, "setup_link_sent", &page{Title: "link_sent_title", Data: to})
}

// handleLinkForm shows a button that confirms the new number. Opening the
// link changes nothing, so that a mail scanner following it does not use
// it up: only the button's POST does.
func (a *App) handleLinkForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "setup_link", &page{Title: "link_title", Data: r.URL.Query().Get("token")})
}

// handleLink redeems the link: twostep checks the token and sends the first
// code to the new number, which the confirm step then asks for.
func (a *App) handleLink(w http.ResponseWriter, r *http.Request) {
	sess, token := state(r).sess, r.PostFormValue("token")
	sent, err := a.m.Challenge(r.Context(), factor.ChallengeRequest{UserID: sess.UserID, Link: token, Language: langOf(r)}, a.Now())
	if err != nil {
		a.render(w, r, http.StatusOK, "setup_link", &page{Title: "link_title", Error: a.userMessage(r, err), Data: token})
		return
	}
	sess.NewCode, sess.LinkSentTo = newSentCode(sent, sent.EnrollmentID), ""
	a.sessions.save(sess)
	redirect(w, r, "/setup/confirm")
}
