package trust

import (
	"net/http"
	"time"
)

// SetCookie puts token in the device cookie for duration, which should be
// the duration given to Remember. The cookie is host-only and site-wide
// (__Host- prefix, Path=/, no Domain), Secure, HttpOnly and SameSite=Lax,
// with a Max-Age matching duration.
func (d *Devices) SetCookie(w http.ResponseWriter, token string, duration time.Duration) {
	http.SetCookie(w, d.cookie(token, max(int(duration/time.Second), 1)))
}

// TokenFromRequest returns the token in the request's device cookie, or ""
// when there is none. Pass it to Check as it is: a garbled or tampered
// token is simply not trusted.
func (d *Devices) TokenFromRequest(r *http.Request) string {
	c, err := r.Cookie(d.cfg.CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

// ClearCookie tells the browser to delete the device cookie, for instance
// when Check reported false or the user logs out everywhere.
func (d *Devices) ClearCookie(w http.ResponseWriter) {
	http.SetCookie(w, d.cookie("", -1))
}

func (d *Devices) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     d.cfg.CookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}
