package twilio

import (
	"net/http"
	"net/url"

	"github.com/twostep/twostep/internal/twilioapi"
)

// SignatureHeader is the header in which Twilio signs its webhook requests.
const SignatureHeader = twilioapi.SignatureHeader

// Validator authenticates Twilio's webhook requests, such as the keypad
// callback, by their X-Twilio-Signature header: an HMAC-SHA1, keyed by the
// account's auth token, of the URL Twilio requested followed by the POST
// form fields sorted by name, each name then value. The status callbacks
// of sms/twilio are checked the same way.
//
// Behind a proxy the request's Host and scheme are not what Twilio saw,
// so the URL is rebuilt from PublicURL and the request URI. The zero
// Validator refuses every request.
type Validator struct {
	// AuthToken is the account's primary auth token. Twilio signs with it
	// even when calls are placed with an API key.
	AuthToken string
	// PublicURL is where Twilio reaches this server: the scheme, host and
	// any path prefix a proxy strips, such as "https://login.example.com".
	// The signed URL is PublicURL followed by the request URI.
	PublicURL string
}

// Authenticate returns nil if r carries a valid Twilio signature, and an
// error wrapping ErrBadSignature otherwise (or factor.ErrInvalidConfig for
// a Validator without AuthToken or PublicURL). It parses r's form with
// r.ParseForm, so handlers can still read r.PostForm afterwards.
func (v *Validator) Authenticate(r *http.Request) error {
	return twilioapi.Authenticate("twilio.Validator", v.AuthToken, v.PublicURL, r)
}

// Sign returns the X-Twilio-Signature Twilio would send for a POST of form
// to fullURL. Tests use it to make genuine-looking webhook requests.
func Sign(authToken, fullURL string, form url.Values) string {
	return twilioapi.Sign(authToken, fullURL, form)
}
