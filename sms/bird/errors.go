package bird

import "github.com/twostep/twostep/internal/provider"

// Error is a failed delivery. It wraps factor.ErrDelivery and one of the
// reasons below; Retryable reports whether trying again later or through
// another provider may succeed. Its text never contains the access key,
// the code, the message text or the phone number.
type Error = provider.Error

// Reasons a message was not delivered; test with errors.Is. They are the
// same values in every sender package of twostep that calls an HTTP API.
var (
	// ErrInvalidNumber means the destination is not a valid phone number:
	// refused before sending, or refused by Bird as an invalid recipient.
	ErrInvalidNumber = provider.ErrInvalidNumber
	// ErrRateLimited means Bird throttled the request (HTTP 429). It is
	// retryable; Error.RetryAfter holds Retry-After.
	ErrRateLimited = provider.ErrRateLimited
	// ErrUnauthorized means Bird refused the access key, or the key may
	// not send on the channel (HTTP 401, 403).
	ErrUnauthorized = provider.ErrUnauthorized
	// ErrRefused means Bird refused the request for another reason, such
	// as a failed validation (HTTP 400, 422) or an unknown workspace or
	// channel (HTTP 404); Error.Status and Error.Code tell which.
	ErrRefused = provider.ErrRefused
	// ErrUnavailable means Bird could not be reached, timed out or failed
	// (HTTP 5xx). It is retryable.
	ErrUnavailable = provider.ErrUnavailable
	// ErrUnsupported means the message cannot be sent as an SMS at all:
	// another kind, or no text. Nothing was sent.
	ErrUnsupported = provider.ErrUnsupported
)
