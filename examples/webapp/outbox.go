// Scaffolding: the development outbox page, a tool any app with email
// or SMS has in development; this file does not call twostep (the Outbox
// sender, and its keypad stand-in, are in wiring.go).

package main

import (
	"net"
	"net/http"
	"strings"
)

// outboxRoutes mounts the outbox, except behind a TLS-terminating proxy
// (-behind-tls), which means the app is served to the world.
func (a *App) outboxRoutes(mux *routeMux) {
	if a.cfg.BehindTLS {
		return
	}
	mux.HandleFunc("GET /dev/outbox", a.outboxOnly(a.handleOutbox))
	mux.HandleFunc("POST /dev/outbox/keypad", a.outboxOnly(a.handleOutboxKeypad))
	mux.HandleFunc("POST /dev/outbox/clear", a.outboxOnly(a.handleOutboxClear))
}

// outboxOpen reports whether the outbox answers r: in development mode,
// never behind -behind-tls, and only to a loopback Host (localhost,
// 127.0.0.1, [::1]), so that a page of another site whose name points at
// this machine (DNS rebinding) cannot read the codes. -dev-public, which
// lets anyone who can reach the app see every code, lifts the Host rule.
func (a *App) outboxOpen(r *http.Request) bool {
	if a.outbox == nil || a.cfg.BehindTLS {
		return false
	}
	return a.cfg.DevPublic || loopbackHost(r.Host)
}

// loopbackHost reports whether a Host header names this machine's
// loopback interface.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// outboxOnly answers 404, as if there were no outbox, unless outboxOpen.
func (a *App) outboxOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !a.outboxOpen(r) {
			a.errorPage(w, r, http.StatusNotFound, "err_not_found")
			return
		}
		h(w, r)
	}
}

// handleOutbox lists what the app "sent". It is open to anyone who
// reaches it on a loopback Host, as a development tool must be: it exists
// only with -dev.
func (a *App) handleOutbox(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "outbox", &page{Title: "outbox_title", Data: a.outbox.Messages()})
}

func (a *App) handleOutboxClear(w http.ResponseWriter, r *http.Request) {
	a.outbox.Clear()
	redirect(w, r, "/dev/outbox")
}
