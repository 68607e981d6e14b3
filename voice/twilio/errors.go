package twilio

import (
	"errors"

	"github.com/twostep/twostep/internal/provider"
)

// Error is a failed call. It wraps factor.ErrDelivery and one of the
// reasons below; Retryable reports whether trying again later or through
// another provider may succeed. Its text never contains a credential, the
// code, the spoken text or the phone number.
type Error = provider.Error

// Reasons a call was not placed; test with errors.Is. They are the same
// values in every sender package of twostep that calls an HTTP API.
var (
	// ErrInvalidNumber means the destination is not a valid phone number
	// (Twilio 21211, 21217).
	ErrInvalidNumber = provider.ErrInvalidNumber
	// ErrRegionNotPermitted means the account's geo permissions forbid
	// calls to the destination (Twilio 21215).
	ErrRegionNotPermitted = provider.ErrRegionNotPermitted
	// ErrRateLimited means Twilio throttled the request (HTTP 429, Twilio
	// 20429). It is retryable; Error.RetryAfter holds Retry-After.
	ErrRateLimited = provider.ErrRateLimited
	// ErrUnauthorized means Twilio refused the credentials (HTTP 401,
	// Twilio 20003).
	ErrUnauthorized = provider.ErrUnauthorized
	// ErrRefused means Twilio refused the request for another reason;
	// Error.Status and Error.Code tell which.
	ErrRefused = provider.ErrRefused
	// ErrUnavailable means Twilio could not be reached, timed out or
	// failed (HTTP 5xx). It is retryable.
	ErrUnavailable = provider.ErrUnavailable
	// ErrUnsupported means the message cannot be made into a call: another
	// kind, no text, a code that is not digits, a keypad message without
	// a challenge or CallbackURL, or TwiML over 4000 characters. Nothing
	// was sent.
	ErrUnsupported = provider.ErrUnsupported
)

// ErrBadSignature means a webhook request did not prove it came from
// Twilio: its X-Twilio-Signature header is missing, malformed, or does not
// match the URL and the form fields.
var ErrBadSignature = errors.New("twilio: bad webhook signature")
