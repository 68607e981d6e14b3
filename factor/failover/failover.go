// Package failover sends a message through the first of several senders
// that can deliver it, such as Twilio with Bird as a backup.
//
// A Sender moves on to the next sender only when a failure is retryable:
// when the error, or an error it wraps, implements Retryable and reports
// true. The senders of twostep (sms/twilio, sms/bird, voice/twilio and
// email/smtp) return a *delivery.Error, which does so for
// delivery.ErrThrottled and delivery.ErrUnavailable: a provider's rate
// limit, timeouts, network failures and failures on the provider's side. Any other failure, such as an invalid
// phone number, stops at once: another provider would refuse it too, and
// trying would only spend money and send budget.
package failover

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/twostep/twostep/factor"
)

// Retryable is implemented by errors that know whether the failure was
// transient, so that trying again later or elsewhere may succeed.
type Retryable interface {
	// Retryable reports whether the failure was transient.
	Retryable() bool
}

// IsRetryable reports whether err or an error it wraps implements
// Retryable and reports true.
func IsRetryable(err error) bool {
	var r Retryable
	return errors.As(err, &r) && r.Retryable()
}

// Sender tries Senders in order until one delivers the message. The zero
// Sender, with no senders, fails every message.
type Sender struct {
	// Senders are tried in order; none may be nil.
	Senders []factor.Sender
}

var _ factor.Sender = (*Sender)(nil)

// Send sends m through the first sender that delivers it. It moves on only
// after a retryable failure and while ctx is not done. When no sender
// delivers, the error wraps factor.ErrDelivery and the last failure, and
// its text lists every failure.
func (s *Sender) Send(ctx context.Context, m factor.Message) error {
	var msgs []string
	for i, snd := range s.Senders {
		if snd == nil {
			return fmt.Errorf("failover: sender %d is nil: %w", i, factor.ErrDelivery)
		}
		err := snd.Send(ctx, m)
		if err == nil {
			return nil
		}
		msgs = append(msgs, "sender "+strconv.Itoa(i)+": "+err.Error())
		if i == len(s.Senders)-1 || !IsRetryable(err) || ctx.Err() != nil {
			return failed(msgs, err)
		}
	}
	return fmt.Errorf("failover: no senders: %w", factor.ErrDelivery)
}

// failed wraps the last error, and factor.ErrDelivery if it does not.
func failed(msgs []string, last error) error {
	text := "failover: " + strings.Join(msgs, "; ")
	if errors.Is(last, factor.ErrDelivery) {
		return &failure{text: text, err: last}
	}
	return &failure{text: text, err: fmt.Errorf("%w: %w", factor.ErrDelivery, last)}
}

// failure is the error of a failed Send: its text lists every attempt, it
// unwraps to the last.
type failure struct {
	text string
	err  error
}

func (f *failure) Error() string { return f.text }
func (f *failure) Unwrap() error { return f.err }
