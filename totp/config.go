package totp

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/twostep/twostep/factor"
)

// Limits and defaults of a Config.
const (
	defaultDigits     = 6
	defaultPeriod     = 30 * time.Second
	maxPeriod         = 120 * time.Second
	defaultSecretSize = 20  // 160 bits, as RFC 4226 recommends
	minSecretSize     = 14  // 112 bits, the NIST SP 800-63B minimum
	maxSecretSize     = 128 // 1024 bits
	defaultSteps      = 1
	maxSteps          = 10
	maxIssuerLen      = 100
	maxAccountLen     = 255
)

// Algorithm is the hash function of the HMAC that derives codes from the
// secret. The zero Algorithm is SHA1.
type Algorithm int

// The algorithms of RFC 6238. SHA1 is the default and the only one that
// every authenticator app supports; several apps silently ignore the others
// and then show wrong codes.
const (
	SHA1 Algorithm = iota
	SHA256
	SHA512
)

// String returns the algorithm's name as the otpauth URI spells it, such as
// "SHA1".
func (a Algorithm) String() string {
	switch a {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case SHA512:
		return "SHA512"
	}
	return "Algorithm(" + strconv.Itoa(int(a)) + ")"
}

// blockSize returns the block size of a's hash function in bytes, or 0 for
// an unknown algorithm.
func (a Algorithm) blockSize() int {
	switch a {
	case SHA1:
		return sha1.BlockSize
	case SHA256:
		return sha256.BlockSize
	case SHA512:
		return sha512.BlockSize
	}
	return 0
}

// parseAlgorithm parses an algorithm name, ignoring case.
func parseAlgorithm(s string) (Algorithm, bool) {
	for _, a := range []Algorithm{SHA1, SHA256, SHA512} {
		if strings.EqualFold(s, a.String()) {
			return a, true
		}
	}
	return 0, false
}

// Window is how many time steps before and after the current one a code may
// come from, to allow for clocks that drift and users who type slowly.
//
// The zero Window is the default: one step behind and one ahead, so with
// 30-second steps a code is accepted from 30 seconds before it appears until
// 30 seconds after it is replaced. Any other window, including one without
// steps ahead or behind, is made with Steps; there is no other way to set
// one, so a forgotten field can never silently mean "zero steps".
type Window struct {
	behind, ahead int
	set           bool
}

// Steps returns a Window that accepts codes from behind steps before the
// current one through ahead steps after it. Steps(1, 0) accepts the current
// and the previous code only; Steps(0, 0) only the current one. Each count
// must be between 0 and 10; New refuses other values.
func Steps(behind, ahead int) Window {
	return Window{behind: behind, ahead: ahead, set: true}
}

// Behind returns the number of steps accepted before the current one.
func (w Window) Behind() int {
	if !w.set {
		return defaultSteps
	}
	return w.behind
}

// Ahead returns the number of steps accepted after the current one.
func (w Window) Ahead() int {
	if !w.set {
		return defaultSteps
	}
	return w.ahead
}

// Config configures a Factor. The zero value of every field but Issuer is a
// sensible default that every authenticator app supports. New validates a
// Config and refuses unsafe values with an error wrapping
// factor.ErrInvalidConfig.
type Config struct {
	// Issuer names the service in the user's authenticator app, such as
	// "ACME Co". It is required, at most 100 bytes, and must not contain
	// a colon, which separates issuer and account in otpauth URIs.
	Issuer string
	// Algorithm is the HMAC hash function; the default is SHA1.
	Algorithm Algorithm
	// Digits is the length of a code: 6 (the default) or 8.
	Digits int
	// Period is the length of a time step, in whole seconds: 30 seconds by
	// default, at most 120 seconds.
	Period time.Duration
	// SecretSize is the length in bytes of generated secrets: 20 bytes
	// (160 bits) by default, at least 14 bytes (112 bits), at most 128.
	SecretSize int
	// Window is how many steps around the current one are accepted; the
	// zero Window means one behind and one ahead. Use Steps to set it.
	Window Window
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.Digits == 0 {
		c.Digits = defaultDigits
	}
	if c.Period == 0 {
		c.Period = defaultPeriod
	}
	if c.SecretSize == 0 {
		c.SecretSize = defaultSecretSize
	}
	c.Window = Steps(c.Window.Behind(), c.Window.Ahead())
	return c
}

// validate checks a Config with defaults applied.
func (c Config) validate() error {
	if reason := checkLabel(c.Issuer, maxIssuerLen); reason != "" {
		return configError("Issuer", reason)
	}
	if c.Algorithm.blockSize() == 0 {
		return configError("Algorithm", "unknown algorithm "+c.Algorithm.String())
	}
	if c.Digits != 6 && c.Digits != 8 {
		return configError("Digits", "must be 6 or 8")
	}
	if c.Period < time.Second || c.Period > maxPeriod || c.Period%time.Second != 0 {
		return configError("Period", "must be whole seconds from 1s to 2m0s")
	}
	if c.SecretSize < minSecretSize || c.SecretSize > maxSecretSize {
		return configError("SecretSize", "must be 14 to 128 bytes (112 to 1024 bits)")
	}
	if !stepsOK(c.Window.Behind()) || !stepsOK(c.Window.Ahead()) {
		return configError("Window", "steps behind and ahead must each be 0 to 10")
	}
	return nil
}

func stepsOK(n int) bool { return n >= 0 && n <= maxSteps }

func configError(field, reason string) error {
	return &factor.ConfigError{Field: "totp.Config." + field, Reason: reason}
}

// checkLabel checks an issuer or account name and returns why it is
// unusable, or "" when it is fine.
func checkLabel(s string, limit int) string {
	switch {
	case s == "":
		return "empty"
	case len(s) > limit:
		return "longer than " + strconv.Itoa(limit) + " bytes"
	case strings.Contains(s, ":"):
		return "contains ':', which separates issuer and account in otpauth URIs"
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "contains a control character"
	}
	return ""
}
