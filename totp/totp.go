package totp

import (
	"crypto/rand"
	"fmt"
	"strconv"

	"github.com/twostep/twostep/factor"
)

// maxCodeInput bounds a code before anything else looks at it.
const maxCodeInput = 64

// Factor is the authenticator-app factor. It implements factor.Factor,
// factor.Verifier, factor.CodeNormalizer and factor.Preparer. A Factor is
// immutable and safe for concurrent use.
type Factor struct {
	cfg     Config
	period  int64  // seconds
	modulus uint32 // 10 to the power of Config.Digits
}

// New validates cfg, fills in its defaults and returns a Factor. An unsafe
// or incomplete Config is an error wrapping factor.ErrInvalidConfig that
// names the offending field.
func New(cfg Config) (*Factor, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	modulus := uint32(1)
	for range cfg.Digits {
		modulus *= 10
	}
	return &Factor{cfg: cfg, period: int64(cfg.Period.Seconds()), modulus: modulus}, nil
}

// Kind returns factor.KindTOTP.
func (f *Factor) Kind() factor.Kind { return factor.KindTOTP }

// Config returns the Factor's configuration with every default filled in.
func (f *Factor) Config() Config { return f.cfg }

// Prepare checks a new enrollment before it is stored. When e.Secret is nil
// it generates a secret of Config.SecretSize bytes from crypto/rand; a
// secret the host imported (see ParseSecret) must be 14 to 128 bytes long.
// e.Address must be empty: authenticator apps have none. Bad input is an
// error wrapping factor.ErrMalformed.
func (f *Factor) Prepare(e *factor.Enrollment) error {
	if e.Address != "" {
		return &factor.InputError{Field: "address", Reason: "must be empty for an authenticator app"}
	}
	if e.Secret == nil {
		secret := make([]byte, f.cfg.SecretSize)
		if _, err := rand.Read(secret); err != nil {
			return fmt.Errorf("totp: generate secret: %w", err)
		}
		e.Secret = secret
		return nil
	}
	return checkSecretLen(len(e.Secret))
}

// checkSecretLen checks the length of a secret in bytes.
func checkSecretLen(n int) error {
	switch {
	case n < minSecretSize:
		return &factor.InputError{Field: "secret", Reason: "shorter than 112 bits"}
	case n > maxSecretSize:
		return &factor.InputError{Field: "secret", Reason: "longer than 1024 bits"}
	}
	return nil
}

// NormalizeCode returns code without white space. What remains must be
// exactly Config.Digits ASCII digits; anything else, and any input longer
// than 64 bytes, is an error wrapping factor.ErrMalformed. A code that is
// already canonical is returned without allocating.
func (f *Factor) NormalizeCode(code string) (string, error) {
	if len(code) > maxCodeInput {
		return "", &factor.InputError{Field: "code", Reason: "too long"}
	}
	if f.canonical(code) {
		return code, nil
	}
	b := make([]byte, 0, len(code))
	for i := 0; i < len(code); i++ {
		if !isSpace(code[i]) {
			b = append(b, code[i])
		}
	}
	if s := string(b); f.canonical(s) {
		return s, nil
	}
	if len(b) != f.cfg.Digits {
		return "", &factor.InputError{Field: "code", Reason: "must be " + strconv.Itoa(f.cfg.Digits) + " digits"}
	}
	return "", &factor.InputError{Field: "code", Reason: "must contain only the digits 0 to 9"}
}

// canonical reports whether code is exactly Config.Digits ASCII digits.
func (f *Factor) canonical(code string) bool {
	if len(code) != f.cfg.Digits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
