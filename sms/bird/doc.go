// Package bird delivers SMS codes through Bird's Channels API.
//
// A Sender posts each factor.Message to
// {BaseURL}/workspaces/{WorkspaceID}/channels/{ChannelID}/messages as a
// text message to the destination phone number, authenticated with
// "Authorization: AccessKey {key}". The channel must be an SMS channel of
// the workspace. It uses net/http only, honours the context of every Send,
// and bounds each request with Config.Timeout.
//
// Failures are *Error values wrapping factor.ErrDelivery and a reason such
// as ErrRefused or ErrRateLimited. Rate limits, timeouts and Bird's own
// failures are retryable (see failover.Sender); errors never contain the
// access key, the code, the text or the phone number.
package bird
