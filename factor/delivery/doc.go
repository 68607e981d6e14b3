// Package delivery holds the reasons a code could not be delivered, shared
// by every sender of twostep (sms/twilio, sms/bird, voice/twilio,
// email/smtp and the push senders), and the *Error they return.
//
// A sender's error wraps exactly one of the sentinel errors of this
// package, so a host branches on the reason with errors.Is, whichever
// sender or provider it uses:
//
//	switch {
//	case errors.Is(err, delivery.ErrLandline):
//		// offer a voice call instead
//	case errors.Is(err, delivery.ErrInvalidNumber):
//		// ask for the number again
//	}
//
// The details a provider gave (its name, the HTTP status, its own error
// code, how long it asked to wait) are in the *Error, found with
// errors.As. Error.Retryable says whether trying again later or through
// another provider may succeed; factor/failover moves on to the next
// sender exactly then.
//
// # Relation to factor.ErrDelivery
//
// factor.ErrDelivery answers "was the code delivered?"; this package
// answers "why not?". The Manager wraps every failed send in
// factor.ErrDelivery and keeps the sender's error inside it, so an error
// from Manager.Challenge matches both factor.ErrDelivery and the reason
// here. A sender's own error, returned by Send before the Manager sees
// it, wraps only the reason: this package does not import factor, so that
// factor may refer to these reasons (for example to word them for users).
//
// No error of this package ever contains a credential, a code, a message
// body or a full phone number or email address.
package delivery
