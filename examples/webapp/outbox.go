package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/twostep/twostep/factor"
)

// outboxSize is how many messages the outbox keeps; older ones drop off.
const outboxSize = 200

// Outbox is a factor.Sender for development. It records every message,
// code included, for the outbox page, and prints it through twostep's
// console sender. Never use it in production.
type Outbox struct {
	console *factor.ConsoleSender
	now     func() time.Time

	mu   sync.Mutex
	msgs []OutboxMessage
}

// OutboxMessage is one message the outbox "sent".
type OutboxMessage struct {
	// Message is the message as twostep handed it over, code included.
	factor.Message
	// SentAt is when the app sent it.
	SentAt time.Time
}

// NewOutbox returns an outbox that prints to w (standard error if nil).
func NewOutbox(w io.Writer, now func() time.Time) *Outbox {
	return &Outbox{console: &factor.ConsoleSender{W: w}, now: now}
}

// Send records m and prints it.
func (o *Outbox) Send(ctx context.Context, m factor.Message) error {
	if err := o.console.Send(ctx, m); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, OutboxMessage{Message: m, SentAt: o.now()})
	if len(o.msgs) > outboxSize {
		o.msgs = slices.Delete(o.msgs, 0, len(o.msgs)-outboxSize)
	}
	return nil
}

// Messages returns the recorded messages, newest first.
func (o *Outbox) Messages() []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := slices.Clone(o.msgs)
	slices.Reverse(out)
	return out
}

// Clear forgets every message.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = nil
}

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

// handleOutboxKeypad plays the phone in a keypad call: it passes the
// digits "typed on the phone" to the Manager, as the voice provider's
// webhook would.
func (a *App) handleOutboxKeypad(w http.ResponseWriter, r *http.Request) {
	err := a.m.ApproveKeypad(r.Context(), r.PostFormValue("challenge"), r.PostFormValue("digits"), a.Now())
	if err != nil {
		a.flashErr(r, err)
	} else {
		a.flash(r, "flash_keypad_sent")
	}
	redirect(w, r, "/dev/outbox")
}

func (a *App) handleOutboxClear(w http.ResponseWriter, r *http.Request) {
	a.outbox.Clear()
	redirect(w, r, "/dev/outbox")
}
