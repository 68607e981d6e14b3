package twilio

import "github.com/twostep/twostep/internal/twilioapi"

// ErrBadSignature means a webhook request did not prove it came from
// Twilio: its X-Twilio-Signature header is missing, malformed, or does not
// match the URL and the form fields.
var ErrBadSignature = twilioapi.ErrBadSignature
