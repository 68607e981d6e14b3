package delivery

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Error is a failed delivery. It wraps its reason Err, so that
// errors.Is(err, ErrInvalidNumber) and the like hold. Its text never
// contains a credential, the code, the message text or the destination.
type Error struct {
	// Provider names the provider, such as "twilio", "bird" or "smtp".
	Provider string
	// Status is the HTTP status of the provider's answer, or 0 if there
	// was no HTTP answer (a network failure, a timeout, a message refused
	// before sending, or a provider that does not speak HTTP).
	Status int
	// Code is the provider's own error code, such as Twilio's "21211",
	// Bird's "InvalidPayload" or an SMTP reply code such as "550"; empty
	// when the provider gave none.
	Code string
	// RetryAfter is how long the provider asked the caller to wait before
	// trying again (an HTTP Retry-After header); 0 when it did not say.
	RetryAfter time.Duration
	// Err is the reason: one of the sentinel errors of this package, or
	// an error wrapping one of them and a detail, such as the network
	// failure behind ErrUnavailable.
	Err error
}

// Error describes the failure without any secret: the provider, the
// reason, the HTTP status, the provider's code and the wait it asked for.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("delivery failed")
	}
	if e.Status != 0 || e.Code != "" {
		b.WriteString(" (")
		if e.Status != 0 {
			b.WriteString("HTTP " + strconv.Itoa(e.Status))
		}
		if e.Status != 0 && e.Code != "" {
			b.WriteString(", ")
		}
		if e.Code != "" {
			b.WriteString("code " + e.Code)
		}
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		b.WriteString(", retry after " + e.RetryAfter.String())
	}
	return b.String()
}

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the failure is transient, so that trying again
// later or through another provider may succeed: ErrThrottled or
// ErrUnavailable. It implements failover.Retryable.
func (e *Error) Retryable() bool {
	return errors.Is(e.Err, ErrThrottled) || errors.Is(e.Err, ErrUnavailable)
}

// NotSent reports whether the provider certainly did not take the message:
// any refusal, including a throttled request. After ErrUnavailable (a
// timeout, a lost connection, a provider failing) the message may have gone
// out. The factor.Manager refunds the send budgets of a message not sent
// and leaves the user's previous code valid.
func (e *Error) NotSent() bool { return !errors.Is(e.Err, ErrUnavailable) }
