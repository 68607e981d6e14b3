// Package twilio delivers SMS codes through Twilio's Messages API.
//
// A Sender posts each factor.Message to
// {BaseURL}/2010-04-01/Accounts/{AccountSID}/Messages.json with the
// message's destination and text, authenticated with the account's auth
// token or an API key. It uses net/http only, honours the context of every
// Send, and bounds each request with Config.Timeout.
//
// Failures are *Error values wrapping factor.ErrDelivery and a reason such
// as ErrInvalidNumber or ErrRateLimited. Rate limits, timeouts and Twilio's
// own failures are retryable (see failover.Sender); errors never contain
// the credentials, the code, the text or the phone number.
package twilio
