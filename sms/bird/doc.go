// Package bird delivers SMS codes through Bird's platform API or its
// older Channels API; the kind of key in the Config says which.
//
// With an APIKey ("bk_<region>_…"), a Sender posts each factor.Message to
// https://<region>.platform.bird.com/v1/sms/messages as JSON with to,
// from, text and category "authentication", authenticated with
// "Authorization: Bearer {key}". Each send carries an Idempotency-Key
// derived from the challenge and its send time, and a request that got no
// answer or a 5xx is tried once more with the same key, so that a retry
// after a timeout never sends the code twice. Bird's error answers,
// {"error": {"type", "code", "name", "param", …}}, map to the reasons
// below; ErrSenderInvalid (SMSNoEligibleSender, or a refused "from") and
// ErrRegionNotPermitted (SMSDestinationNotEnabled) come from this API
// only.
//
// With an AccessKey, a Sender posts each factor.Message to
// {BaseURL}/workspaces/{WorkspaceID}/channels/{ChannelID}/messages as a
// text message to the destination phone number, authenticated with
// "Authorization: AccessKey {key}". The channel must be an SMS channel of
// the workspace. It uses net/http only, honours the context of every Send,
// and bounds each request with Config.Timeout.
//
// Failures are *delivery.Error values wrapping a reason of package
// delivery: ErrInvalidNumber (refused before sending, or an invalid
// recipient by Bird), ErrThrottled (HTTP 429), ErrUnauthorized (HTTP 401,
// 403), ErrRefused (another refusal, such as a failed validation or an
// unknown workspace or channel), ErrUnavailable (network failures,
// timeouts, HTTP 5xx) or ErrUnsupported (a message that is not an SMS, or
// has no text). ErrThrottled and ErrUnavailable are retryable (see
// failover.Sender). Errors never contain the access key, the code, the
// text or the phone number.
package bird
