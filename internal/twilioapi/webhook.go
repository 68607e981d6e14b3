package twilioapi

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
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

// ErrBadSignature means a webhook request did not prove it came from
// Twilio: its X-Twilio-Signature header is missing, malformed, or does not
// match the URL and the form fields.
var ErrBadSignature = errors.New("twilio: bad webhook signature")

// Authenticate checks the X-Twilio-Signature of r, a webhook request that
// Twilio made to publicURL (scheme, host and any path prefix a proxy
// strips) followed by r's request URI: an HMAC-SHA1, keyed by authToken,
// of that URL and the POST form fields sorted by name, each name then
// value. It returns nil for a valid signature, an error wrapping
// ErrBadSignature otherwise, or a configuration error naming cfg without
// authToken or an http(s) publicURL. It parses r's form with r.ParseForm,
// so handlers can still read r.PostForm afterwards.
func Authenticate(cfg, authToken, publicURL string, r *http.Request) error {
	if authToken == "" || !(strings.HasPrefix(publicURL, "https://") || strings.HasPrefix(publicURL, "http://")) {
		return provider.ConfigError(cfg, "AuthToken and an http(s) PublicURL are required")
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
	if !hmac.Equal(got, signature(authToken, signedURL(publicURL, r), r.PostForm)) {
		return fmt.Errorf("%w: signature does not match", ErrBadSignature)
	}
	return nil
}

// signedURL is the URL Twilio requested. r.RequestURI is the path as this
// server received it, before any http.StripPrefix.
func signedURL(publicURL string, r *http.Request) string {
	uri := r.RequestURI
	if !strings.HasPrefix(uri, "/") {
		uri = r.URL.RequestURI()
	}
	return strings.TrimSuffix(publicURL, "/") + uri
}

// Sign returns the X-Twilio-Signature Twilio would send for a POST of form
// to fullURL.
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

// WebhookURL checks a Config URL Twilio calls, such as a CallbackURL:
// empty, or an absolute https URL (plain http only to a loopback host)
// without a fragment.
func WebhookURL(field, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil {
		return nil, provider.ConfigError(field, "must be an absolute URL without credentials or fragment")
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !provider.Loopback(u.Hostname())) {
		return nil, provider.ConfigError(field, "must use https (plain http only to a loopback host)")
	}
	return u, nil
}
