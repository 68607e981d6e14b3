package trust

import (
	"encoding/base64"
	"fmt"
	"io"
)

// Sizes of a token's parts.
const (
	selectorBytes  = 16 // 128 bits, the device ID
	validatorBytes = 32 // 256 bits, the secret
	idLen          = (selectorBytes*8 + 5) / 6
	validatorLen   = (validatorBytes*8 + 5) / 6
	tokenLen       = idLen + 1 + validatorLen
)

// encoding is unpadded base64url that refuses non-canonical input, so that
// each token has exactly one spelling and no changed character decodes to
// the same bytes.
var encoding = base64.RawURLEncoding.Strict()

// newToken returns a fresh device ID (the encoded selector), the validator
// and the token that joins them.
func newToken(r io.Reader) (id string, validator []byte, token string, err error) {
	var b [selectorBytes + validatorBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", nil, "", fmt.Errorf("trust: random token: %w", err)
	}
	id = encoding.EncodeToString(b[:selectorBytes])
	validator = b[selectorBytes:]
	return id, validator, id + "." + encoding.EncodeToString(validator), nil
}

// parseToken splits a token into the device ID and the validator. Anything
// but a canonical token is refused.
func parseToken(token string) (id string, validator []byte, ok bool) {
	id, data, ok := parseTokenData(token)
	if !ok {
		return "", nil, false
	}
	return id, data[len(id):], true
}

// parseTokenData is parseToken returning macData(id, validator) instead of
// the validator, in a single allocation.
func parseTokenData(token string) (id string, data []byte, ok bool) {
	if len(token) != tokenLen || token[idLen] != '.' {
		return "", nil, false
	}
	id = token[:idLen]
	var sel [selectorBytes + 1]byte
	if n, err := encoding.Decode(sel[:], []byte(id)); err != nil || n != selectorBytes {
		return "", nil, false
	}
	data = make([]byte, idLen+validatorBytes+1)
	copy(data, id)
	n, err := encoding.Decode(data[idLen:], []byte(token[idLen+1:]))
	if err != nil || n != validatorBytes {
		return "", nil, false
	}
	return id, data[:idLen+n], true
}

// macData is what the stored hash covers: the device ID and the validator.
func macData(id string, validator []byte) []byte {
	b := make([]byte, 0, len(id)+len(validator))
	b = append(b, id...)
	return append(b, validator...)
}

// DeviceID returns the device ID of a well-formed token without checking
// the token, so that a page listing the user's devices can mark the one in
// use. It reports false for anything that is not a token.
func DeviceID(token string) (string, bool) {
	id, _, ok := parseToken(token)
	return id, ok
}
