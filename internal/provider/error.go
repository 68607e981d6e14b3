// Package provider is the plumbing shared by the senders that call a
// provider's HTTP API (Twilio, Bird): the error type they return, the
// sentinel reasons it carries, request execution with a deadline, and
// checks of configuration and messages.
//
// Nothing here ever puts a credential, a code, a message body or a full
// phone number into an error string.
package provider

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
)

// Reasons a provider refused or failed a message. Each *Error carries one
// of them (the transport failures wrap ErrUnavailable), so callers branch
// with errors.Is. The sender packages re-export them.
var (
	// ErrInvalidNumber means the destination is not a valid phone number.
	ErrInvalidNumber = errors.New("invalid phone number")
	// ErrLandline means the destination cannot receive SMS, such as a
	// fixed line.
	ErrLandline = errors.New("number cannot receive SMS")
	// ErrRegionNotPermitted means the account may not send to the
	// destination's country or region.
	ErrRegionNotPermitted = errors.New("destination region not permitted")
	// ErrOptedOut means the recipient has unsubscribed from the sender.
	ErrOptedOut = errors.New("recipient opted out")
	// ErrRateLimited means the provider throttled the request. It is
	// retryable; Error.RetryAfter says how long the provider asked to wait.
	ErrRateLimited = errors.New("rate limited by provider")
	// ErrUnauthorized means the provider refused the credentials or the
	// account may not use the resource.
	ErrUnauthorized = errors.New("provider refused the credentials")
	// ErrRefused means the provider refused the request for another
	// reason; Error.Status and Error.Code tell which.
	ErrRefused = errors.New("provider refused the message")
	// ErrUnavailable means the provider could not be reached, timed out or
	// failed on its side (HTTP 5xx). It is retryable.
	ErrUnavailable = errors.New("provider unavailable")
	// ErrUnsupported means the sender cannot deliver this message at all,
	// such as a voice message given to an SMS sender or a message without
	// text. Nothing was sent.
	ErrUnsupported = errors.New("message not supported by this sender")
)

// Error is a failed delivery through a provider's API. It wraps
// factor.ErrDelivery and its reason Err, so both errors.Is(err,
// factor.ErrDelivery) and errors.Is(err, ErrInvalidNumber) hold.
type Error struct {
	// Provider names the provider, such as "twilio" or "bird".
	Provider string
	// Status is the HTTP status of the provider's answer, or 0 if there
	// was no answer (a network failure, a timeout, a refused message).
	Status int
	// Code is the provider's own error code, such as "21211"; empty when
	// it gave none.
	Code string
	// RetryAfter is how long the provider asked the caller to wait before
	// trying again (its Retry-After header); 0 when it did not say.
	RetryAfter time.Duration
	// Err is the reason: one of the sentinel errors of this package, or
	// an error wrapping ErrUnavailable and the transport failure.
	Err error
}

// Error describes the failure without any secret: the provider, the
// reason, the HTTP status and the provider's code.
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

// Unwrap returns factor.ErrDelivery and the reason.
func (e *Error) Unwrap() []error { return []error{factor.ErrDelivery, e.Err} }

// Retryable reports whether the failure is transient, so that trying again
// later or through another provider may succeed: a rate limit, a network
// failure, a timeout or a failure on the provider's side.
func (e *Error) Retryable() bool {
	return errors.Is(e.Err, ErrRateLimited) || errors.Is(e.Err, ErrUnavailable)
}
