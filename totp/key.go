package totp

import (
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/twostep/twostep/factor"
)

// PNG sizes, in pixels.
const (
	defaultPNGSize = 256
	maxPNGSize     = 2048
)

// Key is what an authenticator app needs to know about one enrollment: the
// secret, the issuer and account names it displays, and the code
// parameters. The host shows it once, while the user sets up the app, as a
// QR code and as text. A Key is immutable; String and GoString leave out
// the secret, so a Key that ends up in a log does not leak it.
type Key struct {
	issuer    string
	account   string
	secret    []byte
	algorithm Algorithm
	digits    int
	period    time.Duration
}

// Key returns the Key of an enrollment's secret for the given account name,
// typically the user's email address or login name as the user knows it.
// The account must be 1 to 255 bytes of UTF-8 without ':' or control
// characters, and the secret 14 to 128 bytes; otherwise the error wraps
// factor.ErrMalformed.
func (f *Factor) Key(secret []byte, account string) (*Key, error) {
	if err := checkSecretLen(len(secret)); err != nil {
		return nil, err
	}
	if reason := checkLabel(account, maxAccountLen); reason != "" {
		return nil, &factor.InputError{Field: "account", Reason: reason}
	}
	return &Key{
		issuer:    f.cfg.Issuer,
		account:   account,
		secret:    slices.Clone(secret),
		algorithm: f.cfg.Algorithm,
		digits:    f.cfg.Digits,
		period:    f.cfg.Period,
	}, nil
}

// Issuer returns the name of the service, or "" for an imported key that
// names none.
func (k *Key) Issuer() string { return k.issuer }

// Account returns the name of the user's account.
func (k *Key) Account() string { return k.account }

// Secret returns a copy of the secret.
func (k *Key) Secret() []byte { return slices.Clone(k.secret) }

// Algorithm returns the HMAC hash function.
func (k *Key) Algorithm() Algorithm { return k.algorithm }

// Digits returns the length of a code.
func (k *Key) Digits() int { return k.digits }

// Period returns the length of a time step.
func (k *Key) Period() time.Duration { return k.period }

// String describes k without its secret.
func (k *Key) String() string {
	return fmt.Sprintf("totp.Key{Issuer: %q, Account: %q, Algorithm: %s, Digits: %d, Period: %s, Secret: <redacted>}",
		k.issuer, k.account, k.algorithm, k.digits, k.period)
}

// GoString describes k without its secret, for the %#v verb.
func (k *Key) GoString() string { return k.String() }

// URI returns the otpauth URI of k in the Key URI format that authenticator
// apps scan, for example
//
//	otpauth://totp/ACME%20Co:alice@example.com?secret=GEZDGNBV...&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30
//
// The label is the issuer and the account separated by ':'; the issuer is
// repeated as a parameter, which newer apps prefer. Issuer and account are
// percent-encoded, everything but letters, digits, "-._~" and '@' (so a
// space is %20, never '+'). The secret is base32 without padding.
func (k *Key) URI() string {
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	if k.issuer != "" {
		b.WriteString(escape(k.issuer))
		b.WriteByte(':')
	}
	b.WriteString(escape(k.account))
	b.WriteString("?secret=")
	b.WriteString(encodeSecret(k.secret))
	if k.issuer != "" {
		b.WriteString("&issuer=")
		b.WriteString(escape(k.issuer))
	}
	b.WriteString("&algorithm=" + k.algorithm.String())
	b.WriteString("&digits=" + strconv.Itoa(k.digits))
	b.WriteString("&period=" + strconv.Itoa(int(k.period/time.Second)))
	return b.String()
}

// Text returns the secret for typing it into an app by hand: base32
// without padding, in groups of four characters separated by spaces, such
// as "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ". ParseSecret reads it back.
func (k *Key) Text() string {
	s := encodeSecret(k.secret)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// PNG returns a QR code of exactly URI() as a square PNG image, size pixels
// wide, with medium error correction. A size of 0 means 256 pixels; sizes
// above 2048 or below 0 are refused, and a size too small for the code is
// raised to fit it.
func (k *Key) PNG(size int) ([]byte, error) {
	if size == 0 {
		size = defaultPNGSize
	}
	if size < 0 || size > maxPNGSize {
		return nil, fmt.Errorf("totp: QR code size %d is outside 0 to %d pixels", size, maxPNGSize)
	}
	png, err := qrcode.Encode(k.URI(), qrcode.Medium, size)
	if err != nil {
		// go-qrcode's errors never include the content.
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	return png, nil
}

// DataURI returns the PNG of PNG(size) as a data URI, ready for the src
// attribute of an HTML img element:
//
//	<img src="data:image/png;base64,..." alt="QR code">
func (k *Key) DataURI(size int) (string, error) {
	png, err := k.PNG(size)
	if err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}

// encodeSecret returns secret in base32 without padding.
func encodeSecret(secret []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
}

// escape percent-encodes everything in s but RFC 3986 unreserved
// characters and '@', so that the result is safe both in the label and in
// a query parameter of an otpauth URI.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || c == '@' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0f])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
