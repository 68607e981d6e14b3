// Scaffolding: templates, pages, redirects and security headers, as any
// web app has; this file does not call twostep.

package main

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/twostep/twostep/factor"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every template gets.
type page struct {
	// T holds the texts in the page's language, by key.
	T map[string]string
	// Lang is the page's language, "nl" or "en".
	Lang string
	// Other is the language the switch offers.
	Other string
	// Path is the request path, for the language switch to come back to.
	Path string
	// CSRF is the session's token for the page's forms.
	CSRF string
	// User is the logged-in user; nil unless logged in.
	User *User
	// Signed reports whether the session is past the password step at
	// least.
	Signed bool
	// Dev reports whether the development outbox answers this request
	// (its links).
	Dev bool
	// Passkeys reports whether the app offers passkeys (their script, and
	// passwordless login on the login page).
	Passkeys bool
	// AppName is the name users see.
	AppName string
	// Title is the page title: a text key, translated by render.
	Title string
	// Flash is a message shown once, from the previous request.
	Flash string
	// Error is what went wrong with the form, in the page's language.
	Error string
	// Data is what the page shows beyond the above.
	Data any
}

var templateFuncs = template.FuncMap{
	"date": formatDate,
	"kind": func(lang string, k factor.Kind) string { return kindName(lang, string(k)) },
	// dataURL marks a data: URI made by the app itself (a QR code) as safe
	// for an img src; html/template refuses data: URIs otherwise.
	"dataURL": func(s string) template.URL {
		if strings.HasPrefix(s, "data:image/png;base64,") {
			return template.URL(s)
		}
		return ""
	},
}

// parseTemplates parses each page together with the layout and partials.
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template)
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New(base).Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes the named page with status, filling in what every page
// needs from the request. A flash message is shown once.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	a.fillPage(r, p)
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	t := a.pages[name]
	if t == nil {
		a.log.Error("webapp: no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		a.log.Error("webapp: render", "page", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (a *App) fillPage(r *http.Request, p *page) {
	st := state(r)
	lang := languages[0]
	if st != nil {
		lang = st.lang
	}
	p.Lang, p.T, p.Path, p.Dev, p.AppName = lang, texts[lang], r.URL.RequestURI(), a.outboxOpen(r), a.cfg.AppName
	p.Passkeys = a.cfg.PasskeyOrigin != ""
	p.Other = "en"
	if lang == "en" {
		p.Other = "nl"
	}
	if p.Title != "" {
		p.Title = tr(lang, p.Title)
	}
	if st == nil {
		return
	}
	p.CSRF, p.Signed = st.sess.CSRF, st.sess.Level != levelNone
	if st.sess.Level == levelFull && p.User == nil {
		p.User, _ = a.users.byID(r.Context(), st.sess.UserID)
	}
	if st.sess.FlashErr && p.Error == "" {
		p.Error, st.sess.Flash, st.sess.FlashErr = st.sess.Flash, "", false
		a.sessions.save(st.sess)
	}
	if st.sess.Flash != "" && p.Flash == "" {
		if st.sess.Flash != p.Error { // no message twice
			p.Flash = st.sess.Flash
		}
		st.sess.Flash = ""
		a.sessions.save(st.sess)
	}
}

// flash sets a message for the next page the user sees.
func (a *App) flash(r *http.Request, key string, args ...any) {
	st := state(r)
	st.sess.Flash, st.sess.FlashErr = trf(st.lang, key, args...), false
	a.sessions.save(st.sess)
}

// errorPage shows a friendly error with a way back.
func (a *App) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	a.render(w, r, status, "error", &page{Title: "error_title", Error: tr(langOf(r), key)})
}

// serverError logs err and shows a generic error page.
func (a *App) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.log.LogAttrs(r.Context(), slog.LevelError, "webapp: request failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	a.errorPage(w, r, http.StatusInternalServerError, "err_server")
}

func langOf(r *http.Request) string {
	if st := state(r); st != nil {
		return st.lang
	}
	return negotiate(r)
}

// securityHeaders sets the headers every response gets: a strict content
// security policy (no inline script or style), no framing, no sniffing,
// and no caching of pages that may hold codes.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}
