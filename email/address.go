package email

import (
	"net/mail"
	"strings"

	"github.com/twostep/twostep/factor"
)

// Limits of an address, from RFC 5321 as corrected by erratum 1690.
const (
	maxAddress   = 254
	maxLocalPart = 64
)

// ParseAddress checks an email address as a user typed it and returns it in
// canonical form: surrounding white space removed and the domain in lower
// case. It accepts only a bare address ("alice@example.com"): no display
// name, no angle brackets, no comments, no IP-address domains, at most 254
// bytes. A refused address is a *factor.InputError, which wraps
// factor.ErrMalformed and does not contain the address.
func ParseAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", addressError("empty")
	case len(s) > maxAddress:
		return "", addressError("longer than 254 bytes")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", addressError("not an email address")
	}
	if a.Name != "" || a.Address != s {
		return "", addressError("must be a bare address without a name or angle brackets")
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > maxLocalPart {
		return "", addressError("part before @ longer than 64 bytes")
	}
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	return local + "@" + domain, nil
}

// checkDomain asks for a host name with at least one dot.
func checkDomain(d string) error {
	switch {
	case strings.HasPrefix(d, "["):
		return addressError("IP-address domains are not accepted")
	case !strings.Contains(d, "."), strings.HasPrefix(d, "."), strings.HasSuffix(d, "."), strings.Contains(d, ".."):
		return addressError("domain must be a host name such as example.com")
	}
	return nil
}

func addressError(reason string) error {
	return &factor.InputError{Field: "email address", Reason: reason}
}
