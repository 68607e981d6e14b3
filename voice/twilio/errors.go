package twilio

import "errors"

// ErrBadSignature means a webhook request did not prove it came from
// Twilio: its X-Twilio-Signature header is missing, malformed, or does not
// match the URL and the form fields.
var ErrBadSignature = errors.New("twilio: bad webhook signature")
