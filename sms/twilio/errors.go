package twilio

import "github.com/twostep/twostep/internal/provider"

// Error is a failed delivery. It wraps factor.ErrDelivery and one of the
// reasons below; Retryable reports whether trying again later or through
// another provider may succeed. Its text never contains a credential, the
// code, the message text or the phone number.
type Error = provider.Error

// Reasons a message was not delivered; test with errors.Is. They are the
// same values in every sender package of twostep that calls an HTTP API.
var (
	// ErrInvalidNumber means the destination is not a valid phone number
	// (Twilio 21211, 21217).
	ErrInvalidNumber = provider.ErrInvalidNumber
	// ErrLandline means the destination cannot receive SMS (Twilio 21614).
	ErrLandline = provider.ErrLandline
	// ErrRegionNotPermitted means the account's geo permissions forbid
	// the destination (Twilio 21408).
	ErrRegionNotPermitted = provider.ErrRegionNotPermitted
	// ErrOptedOut means the recipient replied STOP (Twilio 21610).
	ErrOptedOut = provider.ErrOptedOut
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
	// ErrUnsupported means the message cannot be sent as an SMS at all:
	// another kind, or no text. Nothing was sent.
	ErrUnsupported = provider.ErrUnsupported
)
