package recovery

import (
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/crockford"
)

// alphabet is Crockford's base32 alphabet: digits and upper-case letters
// without I, L, O and U.
const alphabet = crockford.Alphabet

// bitsPerSymbol is what one character of alphabet carries.
const bitsPerSymbol = 5

// maxInput bounds what Normalize reads, in bytes.
const maxInput = 64

// Normalize returns code in canonical form: upper case, without spaces or
// dashes of any kind (hyphen-minus, en dash, em dash, minus sign,
// non-breaking hyphen and the rest), with the look-alikes O read as 0 and I
// and L as 1. Input longer than 64 bytes, empty input and characters outside
// Crockford's base32 alphabet (such as U) are an error wrapping
// factor.ErrMalformed. Normalize does not check the length of the code,
// which depends on the Config; Redeem does.
func Normalize(code string) (string, error) {
	if len(code) > maxInput {
		return "", &factor.InputError{Field: "code", Reason: "longer than 64 bytes"}
	}
	out, ok := crockford.Normalize(code)
	switch {
	case !ok:
		return "", &factor.InputError{Field: "code", Reason: "not a recovery code character"}
	case out == "":
		return "", &factor.InputError{Field: "code", Reason: "empty"}
	}
	return out, nil
}

// Format returns code with a dash after every groupSize characters, the way
// Generate presents codes: Format("2E7GXZX8C8MW", 4) is "2E7G-XZX8-C8MW".
// A groupSize below one returns code unchanged.
func Format(code string, groupSize int) string {
	return crockford.Group(code, groupSize, '-')
}
