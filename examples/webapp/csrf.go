// Scaffolding: CSRF protection any app with forms already has; this file
// does not call twostep.

package main

import (
	"crypto/subtle"
	"net/http"
)

// maxFormBytes bounds every form body.
const maxFormBytes = 64 << 10

// csrfField is the name of the hidden form field that carries the token.
const csrfField = "csrf"

// checkCSRF refuses, with 403, every state-changing request whose form does
// not carry the session's CSRF token. The token is per session and changes
// with the session ID at each login step; it is compared in constant time.
// The browser's own cross-origin signals (Sec-Fetch-Site, Origin) are
// checked too, by http.CrossOriginProtection.
//
// A form posted without a live session (its cookie expired, unknown or
// tampered with) has nothing to act on: it leads to the login page, with a
// word that the session expired, rather than to an error.
func (a *App) checkCSRF(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.forbidden(w, r)
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		st := state(r)
		if !st.live { // withSession set the flash of an expired session
			redirect(w, r, "/login")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		sess := st.sess
		token := r.PostFormValue(csrfField)
		if token == "" || sess.CSRF == "" || subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) != 1 {
			a.forbidden(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// forbidden answers a refused form with a page that leads back home.
func (a *App) forbidden(w http.ResponseWriter, r *http.Request) {
	a.errorPage(w, r, http.StatusForbidden, "err_csrf")
}
