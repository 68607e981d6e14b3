package provider

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
)

// DefaultTimeout bounds one request to a provider when a Config leaves its
// Timeout zero.
const DefaultTimeout = 10 * time.Second

// ConfigError returns the error a sender's New gives for a refused Config
// field. It never includes the field's value.
func ConfigError(field, reason string) error {
	return &factor.ConfigError{Field: field, Reason: reason}
}

// BaseURL checks a configured API base URL, returning def when raw is
// empty. It must be an absolute https URL without credentials, query or
// fragment; plain http is allowed only to a loopback host, for tests and
// local stand-ins, since the requests carry credentials.
func BaseURL(field, raw, def string) (string, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", ConfigError(field, "must be an absolute URL without credentials, query or fragment")
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !Loopback(u.Hostname())) {
		return "", ConfigError(field, "must use https (plain http only to a loopback host)")
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// Loopback reports whether host is localhost or a loopback address.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Timeout checks a configured timeout, returning DefaultTimeout for 0.
func Timeout(field string, d time.Duration) (time.Duration, error) {
	switch {
	case d < 0:
		return 0, ConfigError(field, "must not be negative")
	case d == 0:
		return DefaultTimeout, nil
	}
	return d, nil
}

// HTTPClient returns c, or a new client on the default transport when c
// is nil. Deadlines come from the request context, not Client.Timeout.
func HTTPClient(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{}
	}
	return c
}

// E164 reports whether s looks like an E.164 phone number: a plus sign and
// 7 to 15 digits, the first not zero.
func E164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	return Digits(s[1:])
}

// Digits reports whether s is one or more ASCII digits.
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckPhoneMessage checks that m is of kind k, has text, and goes to an
// E.164 number. It returns a *delivery.Error that names neither the number
// nor the text.
func CheckPhoneMessage(prov string, m factor.Message, k factor.Kind) error {
	if m.Kind != "" && m.Kind != k {
		return &delivery.Error{Provider: prov, Err: fmt.Errorf("%w: kind %q, want %q", delivery.ErrUnsupported, m.Kind, k)}
	}
	if m.Text == "" {
		return &delivery.Error{Provider: prov, Err: fmt.Errorf("%w: no text", delivery.ErrUnsupported)}
	}
	if !E164(m.To) {
		return &delivery.Error{Provider: prov, Err: delivery.ErrInvalidNumber}
	}
	return nil
}
