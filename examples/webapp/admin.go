// Admin: the admin page (who has two-step verification), a reset after a
// lost phone, and activation codes.

package main

import (
	"net/http"
	"strings"

	"github.com/twostep/twostep/factor"
)

func (a *App) adminRoutes(mux *routeMux) {
	mux.HandleFunc("GET /admin", a.admin(a.handleAdmin))
	mux.HandleFunc("POST /admin/reset", a.admin(a.handleReset))
	mux.HandleFunc("POST /admin/activation", a.admin(a.handleIssueActivation))
}

// admin wraps handlers for logged-in admins; others get 403.
func (a *App) admin(h func(http.ResponseWriter, *http.Request, *User)) http.HandlerFunc {
	return a.full(func(w http.ResponseWriter, r *http.Request) {
		usr, err := a.users.byID(r.Context(), state(r).sess.UserID)
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		if usr == nil || !usr.Admin {
			a.errorPage(w, r, http.StatusForbidden, "err_admin")
			return
		}
		h(w, r, usr)
	})
}

// adminRow is one user on the admin page.
type adminRow struct {
	// User is the account.
	User *User
	// Summary is its two-step verification, from Overview.
	Summary factor.UserSummary
}

// adminData is the admin page.
type adminData struct {
	// Rows lists every user.
	Rows []adminRow
	// NeedActivation reports whether users need an activation code before
	// enrolling, so that resets offer to issue one.
	NeedActivation bool
	// Issued is an activation code just issued, shown once.
	Issued string
	// IssuedFor is the email address of the user it was issued for.
	IssuedFor string
}

func (a *App) handleAdmin(w http.ResponseWriter, r *http.Request, me *User) {
	all, err := a.users.all(r.Context())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	ids := make([]string, len(all))
	for i, u := range all {
		ids[i] = u.ID
	}
	sums, err := a.m.Overview(r.Context(), ids)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := &adminData{NeedActivation: a.cfg.Policy.RequireActivation}
	for i, u := range all {
		d.Rows = append(d.Rows, adminRow{User: u, Summary: sums[i]})
	}
	if sess := state(r).sess; sess.Issued != nil {
		d.IssuedFor, d.Issued = sess.Issued.Email, sess.Issued.Code
		sess.Issued = nil
		a.sessions.save(sess)
	}
	a.render(w, r, http.StatusOK, "admin", &page{Title: "admin_title", User: me, Data: d})
}

// handleReset removes all of a user's methods (after a lost phone);
// the user sets up two-step verification again at the next login, with a
// fresh activation code if the policy asks for one.
func (a *App) handleReset(w http.ResponseWriter, r *http.Request, me *User) {
	usr, err := a.users.byID(r.Context(), r.PostFormValue("user"))
	if err != nil || usr == nil {
		a.errorPage(w, r, http.StatusNotFound, "err_not_found")
		return
	}
	req := factor.ResetRequest{
		UserID: usr.ID, Actor: me.ID, Reason: strings.TrimSpace(r.PostFormValue("reason")),
		IssueActivationCode: r.PostFormValue("activation") != "",
	}
	code, err := a.m.Reset(r.Context(), req, a.Now())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.flash(r, "flash_reset", usr.Email)
	a.showActivation(w, r, usr, code)
}

// handleIssueActivation issues a one-time activation code,
// valid for 21 days, which the admin passes on to the user.
func (a *App) handleIssueActivation(w http.ResponseWriter, r *http.Request, me *User) {
	usr, err := a.users.byID(r.Context(), r.PostFormValue("user"))
	if err != nil || usr == nil {
		a.errorPage(w, r, http.StatusNotFound, "err_not_found")
		return
	}
	code, err := a.m.IssueActivationCode(r.Context(), usr.ID, me.ID, a.Now())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.showActivation(w, r, usr, code)
}

// showActivation keeps a fresh code for the admin page to show once.
func (a *App) showActivation(w http.ResponseWriter, r *http.Request, usr *User, code string) {
	if code != "" {
		sess := state(r).sess
		sess.Issued = &issuedCode{Email: usr.Email, Code: code}
		a.sessions.save(sess)
	}
	redirect(w, r, "/admin")
}
