// Package twilio delivers SMS codes through Twilio's Messages API.
//
// A Sender posts each factor.Message to
// {BaseURL}/2010-04-01/Accounts/{AccountSID}/Messages.json with the
// message's destination and text, authenticated with the account's auth
// token or an API key. Its ValidityPeriod is the code's remaining lifetime
// (Message.ExpiresAt), so that Twilio drops a message still queued when
// its code expires instead of delivering it up to 10 hours late. It uses
// net/http only, honours the context of every Send, and bounds each
// request with Config.Timeout.
//
// Failures are *delivery.Error values wrapping a reason of package
// delivery: ErrInvalidNumber (Twilio 21211, 21217), ErrLandline (21614),
// ErrRegionNotPermitted (21408), ErrOptedOut (21610), ErrThrottled (HTTP
// 429, 20429), ErrUnauthorized (HTTP 401, 403, 20003, 20005), ErrRefused
// (any other refusal), ErrUnavailable (network failures, timeouts, HTTP
// 5xx) or ErrUnsupported (a message that is not an SMS, or has no text).
// ErrThrottled and ErrUnavailable are retryable (see failover.Sender).
// Errors never contain the credentials, the code, the text or the phone
// number.
package twilio
