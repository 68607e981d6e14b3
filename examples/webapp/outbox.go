// Scaffolding: the development outbox page, a tool any app with email
// or SMS has in development; this file does not call twostep (the Outbox
// sender, and its keypad stand-in, are in wiring.go).

package main

import "net/http"

func (a *App) outboxRoutes(mux *routeMux) {
	mux.HandleFunc("GET /dev/outbox", a.handleOutbox)
	mux.HandleFunc("POST /dev/outbox/keypad", a.handleOutboxKeypad)
	mux.HandleFunc("POST /dev/outbox/clear", a.handleOutboxClear)
}

// handleOutbox lists what the app "sent". It is open to anyone, as a
// development tool must be: it exists only with -dev.
func (a *App) handleOutbox(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "outbox", &page{Title: "outbox_title", Data: a.outbox.Messages()})
}

func (a *App) handleOutboxClear(w http.ResponseWriter, r *http.Request) {
	a.outbox.Clear()
	redirect(w, r, "/dev/outbox")
}
