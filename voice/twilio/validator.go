package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/twostep/twostep/internal/provider"
)

// SignatureHeader is the header in which Twilio signs its webhook requests.
const SignatureHeader = "X-Twilio-Signature"

// Validator authenticates Twilio's webhook requests, such as the keypad
// callback, by their X-Twilio-Signature header: an HMAC-SHA1, keyed by the
// account's auth token, of the URL Twilio requested followed by the POST
// form fields sorted by name, each name then value.
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
	if v.AuthToken == "" || !(strings.HasPrefix(v.PublicURL, "https://") || strings.HasPrefix(v.PublicURL, "http://")) {
		return provider.ConfigError("twilio.Validator", "AuthToken and an http(s) PublicURL are required")
	}
	header := r.Header.Get(SignatureHeader)
	if header == "" {
		return fmt.Errorf("%w: no %s header", ErrBadSignature, SignatureHeader)
	}
	got, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return fmt.Errorf("%w: malformed %s header", ErrBadSignature, SignatureHeader)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: unreadable form", ErrBadSignature)
	}
	if !hmac.Equal(got, signature(v.AuthToken, v.signedURL(r), r.PostForm)) {
		return fmt.Errorf("%w: signature does not match", ErrBadSignature)
	}
	return nil
}

// signedURL is the URL Twilio requested. r.RequestURI is the path as this
// server received it, before any http.StripPrefix.
func (v *Validator) signedURL(r *http.Request) string {
	uri := r.RequestURI
	if !strings.HasPrefix(uri, "/") {
		uri = r.URL.RequestURI()
	}
	return strings.TrimSuffix(v.PublicURL, "/") + uri
}

// Sign returns the X-Twilio-Signature Twilio would send for a POST of form
// to fullURL. Tests use it to make genuine-looking webhook requests.
func Sign(authToken, fullURL string, form url.Values) string {
	return base64.StdEncoding.EncodeToString(signature(authToken, fullURL, form))
}

func signature(authToken, fullURL string, form url.Values) []byte {
	h := hmac.New(sha1.New, []byte(authToken))
	_, _ = io.WriteString(h, fullURL)
	for _, name := range slices.Sorted(maps.Keys(form)) {
		values := slices.Clone(form[name])
		slices.Sort(values)
		for _, value := range values {
			_, _ = io.WriteString(h, name)
			_, _ = io.WriteString(h, value)
		}
	}
	return h.Sum(nil)
}
