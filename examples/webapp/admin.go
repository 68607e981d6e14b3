// Admin: the admin page (who has two-step verification, who is locked),
// a reset after a lost phone, an unlock, and activation codes.

package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/twostep/twostep/factor"
)

func (a *App) adminRoutes(mux *routeMux) {
	mux.HandleFunc("GET /admin", a.admin(a.handleAdmin))
	mux.HandleFunc("GET /admin/reset", a.admin(a.handleResetForm))
	mux.HandleFunc("POST /admin/reset", a.admin(a.handleReset))
	mux.HandleFunc("POST /admin/unlock", a.admin(a.handleUnlock))
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

// adminPageSize is how many users the admin page lists at once: one
// Overview of at most this many IDs per page, which costs two statements
// with sqlstore however many users the app has.
const adminPageSize = 20

// adminRow is one user on the admin page.
type adminRow struct {
	// User is the account.
	User *User
	// Summary is its two-step verification, from Overview.
	Summary factor.UserSummary
	// Locked reports whether the user is locked after too many failed
	// codes, until Summary.LockedUntil.
	Locked bool
}

// adminData is the admin page.
type adminData struct {
	// Rows lists the users of this page.
	Rows []adminRow
	// Page is the page shown, from 1; Pages is how many there are.
	Page, Pages int
	// NeedActivation reports whether users need an activation code before
	// enrolling, so that resets offer to issue one.
	NeedActivation bool
	// Issued is an activation code just issued, shown once.
	Issued string
	// IssuedFor is the email address of the user it was issued for.
	IssuedFor string
}

// Prev is the page before this one, or 0 when this is the first.
func (d *adminData) Prev() int { return d.Page - 1 }

// Next is the page after this one, or 0 when this is the last.
func (d *adminData) Next() int {
	if d.Page >= d.Pages {
		return 0
	}
	return d.Page + 1
}

func (a *App) handleAdmin(w http.ResponseWriter, r *http.Request, me *User) {
	total, err := a.users.count(r.Context())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := &adminData{NeedActivation: a.cfg.Policy.RequireActivation, Pages: max(1, (total+adminPageSize-1)/adminPageSize)}
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	d.Page = min(max(d.Page, 1), d.Pages)
	list, err := a.users.page(r.Context(), (d.Page-1)*adminPageSize, adminPageSize)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	ids := make([]string, len(list))
	for i, u := range list {
		ids[i] = u.ID
	}
	sums, err := a.m.Overview(r.Context(), ids)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	now := a.Now()
	for i, u := range list {
		d.Rows = append(d.Rows, adminRow{User: u, Summary: sums[i], Locked: sums[i].LockedUntil.After(now)})
	}
	if sess := state(r).sess; sess.Issued != nil {
		d.IssuedFor, d.Issued = sess.Issued.Email, sess.Issued.Code
		sess.Issued = nil
		a.sessions.save(sess)
	}
	a.render(w, r, http.StatusOK, "admin", &page{Title: "admin_title", User: me, Data: d})
}

// handleUnlock lifts a user's lock after too many failed codes, for
// example after the user called the service desk; the reason goes into
// the audit event.
func (a *App) handleUnlock(w http.ResponseWriter, r *http.Request, me *User) {
	usr, err := a.users.byID(r.Context(), r.PostFormValue("user"))
	if err != nil || usr == nil {
		a.errorPage(w, r, http.StatusNotFound, "err_not_found")
		return
	}
	req := factor.UnlockRequest{UserID: usr.ID, Actor: me.ID, Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if err := a.m.Unlock(r.Context(), req, a.Now()); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.flash(r, "flash_unlocked", usr.Email)
	redirect(w, r, "/admin?page="+strconv.Itoa(max(1, pageOf(r))))
}

// pageOf is the admin page a form was posted from, or 0.
func pageOf(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("page"))
	return n
}

// resetData is the page that confirms a reset.
type resetData struct {
	// User is the account to reset.
	User *User
	// Reason is what the admin typed.
	Reason string
	// Activation reports whether a fresh activation code is issued too.
	Activation bool
}

// handleResetForm asks the admin to confirm a reset and to give a reason,
// which goes into the audit event.
func (a *App) handleResetForm(w http.ResponseWriter, r *http.Request, me *User) {
	usr, err := a.users.byID(r.Context(), r.URL.Query().Get("user"))
	if err != nil || usr == nil {
		a.errorPage(w, r, http.StatusNotFound, "err_not_found")
		return
	}
	d := &resetData{User: usr, Activation: a.cfg.Policy.RequireActivation}
	a.render(w, r, http.StatusOK, "admin_reset", &page{Title: "reset_title", User: me, Data: d})
}

// handleReset removes all of a user's methods (after a lost phone), once
// the admin confirmed it with a reason; the user sets up two-step
// verification again at the next login, with a fresh activation code if
// the policy asks for one.
func (a *App) handleReset(w http.ResponseWriter, r *http.Request, me *User) {
	usr, err := a.users.byID(r.Context(), r.PostFormValue("user"))
	if err != nil || usr == nil {
		a.errorPage(w, r, http.StatusNotFound, "err_not_found")
		return
	}
	d := &resetData{User: usr, Reason: strings.TrimSpace(r.PostFormValue("reason")), Activation: r.PostFormValue("activation") != ""}
	if d.Reason == "" || r.PostFormValue("confirm") != "yes" {
		a.render(w, r, http.StatusUnprocessableEntity, "admin_reset", &page{Title: "reset_title", User: me, Error: tr(langOf(r), "err_reset_reason"), Data: d})
		return
	}
	req := factor.ResetRequest{UserID: usr.ID, Actor: me.ID, Reason: d.Reason, IssueActivationCode: d.Activation}
	code, err := a.m.Reset(r.Context(), req, a.Now())
	if errors.Is(err, factor.ErrMalformed) {
		a.render(w, r, http.StatusUnprocessableEntity, "admin_reset", &page{Title: "reset_title", User: me, Error: a.userMessage(r, err), Data: d})
		return
	}
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

// bootstrapActivation gives the first admin a way in when enrolling needs
// an activation code: only an admin can issue one, on the admin page,
// which an admin without two-step verification cannot reach once it is
// required. At every start each demo admin who still needs a code gets a
// fresh one, which PrintWelcome prints beside the account.
func (a *App) bootstrapActivation(ctx context.Context) error {
	if !a.cfg.Policy.RequireActivation {
		return nil
	}
	for i, d := range a.demo {
		usr, err := a.users.byEmail(ctx, d.Email)
		if err != nil || usr == nil || !usr.Admin {
			continue
		}
		st, err := a.m.Status(ctx, factor.StatusRequest{UserID: usr.ID}, a.Now())
		if err != nil {
			return err
		}
		if st.NeedsActivation {
			if a.demo[i].Activation, err = a.m.IssueActivationCode(ctx, usr.ID, "webapp start-up", a.Now()); err != nil {
				return err
			}
		}
	}
	return nil
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
