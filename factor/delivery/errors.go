package delivery

import "errors"

// Reasons a message was not delivered. Every *Error wraps one of them;
// test with errors.Is. The provider is the service a sender hands the
// message to: an HTTP API such as Twilio's or Bird's, an SMTP server, or a
// push service.
var (
	// ErrInvalidNumber means the destination is not a valid phone number:
	// refused before sending, or refused by the provider as an invalid
	// recipient (Twilio 21211, 21217).
	ErrInvalidNumber = errors.New("invalid phone number")
	// ErrLandline means the destination is a phone number that cannot
	// receive SMS, such as a fixed line (Twilio 21614). A voice call may
	// still reach it.
	ErrLandline = errors.New("number cannot receive SMS")
	// ErrInvalidAddress means the destination is not a valid email
	// address: refused before sending, or refused by the server as a
	// mailbox or domain that does not exist (enhanced status 5.1.1, 5.1.2,
	// 5.1.3, 5.1.10).
	ErrInvalidAddress = errors.New("invalid email address")
	// ErrUnregistered means the push service no longer knows the device
	// token: the app was removed from the phone, or the token expired or
	// was replaced. Trying again will not help; the host should stop
	// sending to the token until the app registers a new one.
	ErrUnregistered = errors.New("device token no longer registered")
	// ErrRegionNotPermitted means the provider will not route the message
	// to the destination from this account: the destination's country or
	// region is not enabled (Twilio 21408 for SMS, 21215 for calls), or
	// the number cannot be reached from the sender (Twilio 21612 for SMS,
	// 21214 for calls). Another method or provider may still reach it.
	ErrRegionNotPermitted = errors.New("destination region not permitted")
	// ErrOptedOut means the recipient has unsubscribed from the sender,
	// such as by replying STOP to an SMS (Twilio 21610).
	ErrOptedOut = errors.New("recipient opted out")
	// ErrThrottled means the provider throttled the request (HTTP 429).
	// It is retryable; Error.RetryAfter says how long the provider asked
	// to wait. It is unrelated to factor.ErrRateLimited, which means one
	// of twostep's own send budgets is spent.
	ErrThrottled = errors.New("throttled by provider")
	// ErrUnauthorized means the provider refused the credentials, or the
	// account may not use the resource (HTTP 401 or 403, Twilio 20003,
	// SMTP 530, 534 or 535), such as a trial account that may only reach
	// the numbers it has verified (Twilio 21608 for SMS, 21219 for calls).
	// The sender's configuration or the account needs fixing.
	ErrUnauthorized = errors.New("provider refused the credentials")
	// ErrSenderInvalid means the provider refused the sender the
	// configuration names: a From number that is not the account's, not
	// yet ported, not able to send SMS or not a verified caller ID (Twilio
	// 21212, 21210, 21601, 21606, 21659, 21660, 21661), or a sender the
	// workspace may not use (Bird). Every message through the sender will
	// fail until its configuration is fixed.
	ErrSenderInvalid = errors.New("sender not valid for this account")
	// ErrRefused means the provider refused the message for good for
	// another reason, such as a failed validation, a permanent SMTP
	// reply, a certificate that does not verify, or an SMTP server that
	// does not offer STARTTLS while the sender requires it. The error
	// text, Error.Status and Error.Code tell which.
	ErrRefused = errors.New("provider refused the message")
	// ErrUnavailable means the provider could not be reached, timed out,
	// failed on its side (HTTP 5xx) or answered with a temporary SMTP
	// reply (4xx). It is retryable.
	ErrUnavailable = errors.New("provider unavailable")
	// ErrUnsupported means the sender cannot deliver this message at all,
	// such as a voice message given to an SMS sender, or a message
	// without text. Nothing was sent.
	ErrUnsupported = errors.New("message not supported by this sender")
)
