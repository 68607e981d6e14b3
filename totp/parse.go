package totp

import (
	"encoding/base32"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
)

// Input bounds, in bytes.
const (
	maxSecretInput = 1024
	maxURIInput    = 2048
)

// ParseSecret decodes a base32 secret that a user typed or pasted, as
// services show it for setting up an app by hand. Letter case, spaces and
// dashes are ignored and '=' padding is optional. The secret must be 112 to
// 1024 bits long. Bad input is an error wrapping factor.ErrMalformed that
// never repeats the input.
func ParseSecret(s string) ([]byte, error) {
	if len(s) > maxSecretInput {
		return nil, secretError("longer than 1024 characters")
	}
	b, err := cleanBase32(s)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, secretError("empty")
	}
	switch len(b) % 8 {
	case 1, 3, 6:
		return nil, secretError("has a length no secret encodes to; a character is missing or extra")
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(b))
	if err != nil {
		return nil, secretError("not valid base32")
	}
	if err := checkSecretLen(len(secret)); err != nil {
		return nil, err
	}
	return secret, nil
}

// cleanBase32 returns s upper-cased without spaces, dashes and trailing
// padding, after checking that only base32 characters remain.
func cleanBase32(s string) ([]byte, error) {
	b := make([]byte, 0, len(s))
	padding := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-' || c == '\t':
		case c == '=':
			padding = true
		case padding:
			return nil, secretError("has '=' padding before its end")
		case 'a' <= c && c <= 'z':
			b = append(b, c-'a'+'A')
		case 'A' <= c && c <= 'Z' || '2' <= c && c <= '7':
			b = append(b, c)
		default:
			return nil, secretError("contains a character other than the letters A to Z and the digits 2 to 7")
		}
	}
	return b, nil
}

func secretError(reason string) error {
	return &factor.InputError{Field: "secret", Reason: reason}
}

func uriError(reason string) error {
	return &factor.InputError{Field: "uri", Reason: reason}
}

// ParseURI parses an otpauth URI, as apps export and QR codes carry it, into
// a Key. It accepts the Key URI format that URI writes and the common
// variations: parameters in any order, the issuer in the label, as a
// parameter or both (then they must agree), a missing algorithm, digits or
// period (SHA1, 6 and 30 seconds), unknown parameters (ignored). It refuses
// HOTP keys and values New would refuse: digits other than 6 or 8, periods
// over 120 seconds and secrets shorter than 112 bits. Errors wrap
// factor.ErrMalformed and never repeat the input.
func ParseURI(uri string) (*Key, error) {
	if len(uri) > maxURIInput {
		return nil, uriError("longer than 2048 bytes")
	}
	u, err := url.Parse(uri)
	if err != nil { // url's errors quote the URI, secret and all
		return nil, uriError("not a valid URI")
	}
	if !strings.EqualFold(u.Scheme, "otpauth") || u.Opaque != "" {
		return nil, uriError("not an otpauth:// URI")
	}
	if !strings.EqualFold(u.Host, "totp") || u.User != nil {
		return nil, uriError("not a TOTP key (otpauth://totp/...)")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, uriError("malformed query")
	}
	k := &Key{algorithm: SHA1, digits: defaultDigits, period: defaultPeriod}
	if err := k.parseLabel(u.Path, q); err != nil {
		return nil, err
	}
	if err := k.parseParams(q); err != nil {
		return nil, err
	}
	return k, nil
}

// parseLabel sets the issuer and account from the URI's decoded path and
// the issuer parameter.
func (k *Key) parseLabel(path string, q url.Values) error {
	label := strings.TrimPrefix(path, "/")
	issuer, account, found := strings.Cut(label, ":")
	if !found {
		issuer, account = "", label
	}
	account = strings.TrimLeft(account, " ")
	if reason := checkLabel(account, maxAccountLen); reason != "" {
		return uriError("account " + reason)
	}
	param, err := single(q, "issuer")
	if err != nil {
		return err
	}
	if issuer != "" && param != "" && param != issuer {
		return uriError("issuer parameter differs from the label's issuer")
	}
	if issuer == "" {
		issuer = param
	}
	if reason := checkLabel(issuer, maxIssuerLen); issuer != "" && reason != "" {
		return uriError("issuer " + reason)
	}
	k.issuer, k.account = issuer, account
	return nil
}

// parseParams sets the secret and the code parameters from the query.
func (k *Key) parseParams(q url.Values) error {
	var p [4]string
	for i, name := range []string{"secret", "algorithm", "digits", "period"} {
		v, err := single(q, name)
		if err != nil {
			return err
		}
		p[i] = v
	}
	if p[0] == "" {
		return uriError("no secret parameter")
	}
	secret, err := ParseSecret(p[0])
	if err != nil {
		return err
	}
	k.secret = secret
	return k.parseCodeParams(p[1], p[2], p[3])
}

// parseCodeParams sets algorithm, digits and period from their parameter
// values; an empty value keeps the default.
func (k *Key) parseCodeParams(algorithm, digits, period string) error {
	if algorithm != "" {
		a, ok := parseAlgorithm(algorithm)
		if !ok {
			return uriError("algorithm must be SHA1, SHA256 or SHA512")
		}
		k.algorithm = a
	}
	if digits != "" {
		if digits != "6" && digits != "8" {
			return uriError("digits must be 6 or 8")
		}
		k.digits = int(digits[0] - '0')
	}
	if period != "" {
		n, err := strconv.Atoi(period)
		if err != nil || n < 1 || n > int(maxPeriod/time.Second) {
			return uriError("period must be 1 to 120 seconds")
		}
		k.period = time.Duration(n) * time.Second
	}
	return nil
}

// single returns the one value of the query parameter name, or "" when it
// is absent. A repeated parameter is ambiguous and refused.
func single(q url.Values, name string) (string, error) {
	switch v := q[name]; len(v) {
	case 0:
		return "", nil
	case 1:
		return v[0], nil
	}
	return "", uriError("repeated " + name + " parameter")
}
