package factor

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// RandomDigits returns n decimal digits from r without modulo bias: it draws
// 64-bit numbers and rejects those from the incomplete top range. n is 1 to
// 18.
func RandomDigits(r io.Reader, n int) (string, error) {
	if n < 1 || n > 18 {
		return "", fmt.Errorf("factor: RandomDigits: n = %d out of range", n)
	}
	mod := uint64(1)
	for i := 0; i < n; i++ {
		mod *= 10
	}
	limit := ^uint64(0) - (^uint64(0) % mod) // largest multiple of mod
	var b [8]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("factor: random digits: %w", err)
		}
		v := binary.BigEndian.Uint64(b[:])
		if v < limit {
			return fmt.Sprintf("%0*d", n, v%mod), nil
		}
	}
}

// normalizeDigits removes spaces and dashes from a numeric code and checks
// that exactly n ASCII digits remain.
func normalizeDigits(code string, n int) (string, error) {
	if len(code) > maxCodeLen {
		return "", &InputError{Field: "code", Reason: "too long"}
	}
	var b strings.Builder
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\t':
		default:
			return "", &InputError{Field: "code", Reason: "only digits are allowed"}
		}
	}
	if b.Len() != n {
		return "", &InputError{Field: "code", Reason: fmt.Sprintf("must be %d digits", n)}
	}
	return b.String(), nil
}
