package factor

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Message is one code on its way to a user. Factors compose it; a Sender
// delivers it. Its LogValue redacts the code and the destination, so a
// Message can be logged safely.
type Message struct {
	// Kind is the channel: KindSMS, KindVoice or KindEmail.
	Kind Kind
	// To is the destination: an E.164 phone number or an email address.
	To string
	// Code is the code to deliver. In voice keypad mode it is the digits
	// the user is asked to type on the phone.
	Code string
	// Keypad is set for a voice call that asks the user to type Code on
	// the keypad instead of reading it out.
	Keypad bool
	// ChallengeID identifies the challenge the code belongs to. A voice
	// provider puts it in the keypad callback, and a provider with
	// delivery receipts in their callback URL.
	ChallengeID string
	// Send counts the codes sent for the challenge: 1 for the first, 2
	// after one Resend. A delivery receipt names it with ChallengeID, so
	// that a late receipt for an earlier code is not taken for the current
	// one (see Receipt).
	Send int
	// Language is the BCP 47 tag of the message's language, such as "nl".
	Language string
	// Subject is the email subject; empty for other channels.
	Subject string
	// Text is the SMS text, the voice script or the plain-text email body.
	Text string
	// HTML is the HTML email body; empty for other channels.
	HTML string
	// SentAt is the time the Manager sent the message at, the now of the
	// call that sent it.
	SentAt time.Time
	// ExpiresAt is when the code stops being accepted; ExpiresAt less
	// SentAt is the code's lifetime.
	ExpiresAt time.Time
}

// LogValue implements slog.LogValuer and leaves out everything secret or
// personal: the code, the bodies and most of the destination.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", string(m.Kind)),
		slog.String("to", Redact(m.To)),
		slog.String("challenge", m.ChallengeID),
		slog.String("lang", m.Language),
	)
}

// Sender delivers messages: an SMS gateway, a voice provider, an SMTP
// server.
type Sender interface {
	// Send delivers m to m.To over the channel m.Kind. It must honour ctx
	// and must not log the code or put it in its error. An error means
	// the message may not have arrived: the Manager then burns the
	// challenge and returns an error wrapping ErrDelivery.
	Send(ctx context.Context, m Message) error
}

// SenderFunc adapts a function to the Sender interface.
type SenderFunc func(ctx context.Context, m Message) error

// Send calls f(ctx, m).
func (f SenderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

// Redact masks a phone number or email address for logs: it keeps the last
// two characters of a phone number and the first character and the domain
// of an email address.
func Redact(addr string) string {
	if addr == "" {
		return ""
	}
	for i := 0; i < len(addr); i++ {
		if addr[i] == '@' {
			return addr[:1] + "***" + addr[i:]
		}
	}
	if len(addr) <= 4 {
		return "***"
	}
	return "***" + addr[len(addr)-2:]
}

// Router sends each message with the Sender for its kind, so one Manager
// can deliver SMS through one provider, calls through another and email
// through SMTP. A kind without a Sender is a delivery error.
type Router map[Kind]Sender

// Send hands m to the Sender for m.Kind.
func (r Router) Send(ctx context.Context, m Message) error {
	s, ok := r[m.Kind]
	if !ok || s == nil {
		return fmt.Errorf("%w: no sender for %s messages", ErrDelivery, m.Kind)
	}
	return s.Send(ctx, m)
}
