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
// With Config.StatusCallbackURL set, each message asks Twilio for delivery
// receipts, and a MessageStatusHandler at that URL records them on the
// challenge (after checking Twilio's signature), so that
// factor.Manager.ChallengeStatus can tell the page that a code did not
// arrive.
//
// Failures are *delivery.Error values wrapping a reason of package
// delivery: ErrInvalidNumber (Twilio 21211, 21217, 21265), ErrLandline
// (21614, 21635), ErrRegionNotPermitted (21408; 21612, a destination the
// sender cannot reach), ErrOptedOut (21610), ErrThrottled (HTTP 429,
// 20429), ErrUnauthorized (HTTP 401, 403, 20003, 20005; 21608, a trial
// account sending to a number it has not verified), ErrSenderInvalid
// (21212, 21601, 21606, 21659, 21660, 21661: a From that is not an
// SMS-capable number of the account), ErrRefused (any other refusal),
// ErrUnavailable (network failures, timeouts, HTTP 5xx) or ErrUnsupported
// (a message that is not an SMS, or has no text).
// ErrThrottled and ErrUnavailable are retryable (see failover.Sender).
// Errors never contain the credentials, the code, the text or the phone
// number.
package twilio
