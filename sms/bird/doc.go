// Package bird delivers SMS codes through Bird's Channels API.
//
// A Sender posts each factor.Message to
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
