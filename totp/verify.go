package totp

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"hash"
	"math"
	"strconv"
	"time"

	"github.com/twostep/twostep/factor"
)

// Verify checks code for e at now. It accepts the code of any step in the
// configured Window around the current step that is later than e.Counter,
// the last step accepted, and on success records the matched step in
// e.Counter; the Manager then saves e with compare-and-swap. So a code is
// accepted once, and once a code is accepted no earlier one is.
//
// A wrong, replayed or out-of-window code is factor.ErrInvalidCode. A code
// that is not Config.Digits digits, after white space is removed, is an
// error wrapping factor.ErrMalformed. A missing secret or a clock before
// 1970 is an operational error. Codes are compared in constant time, and
// no error mentions the code or the secret.
func (f *Factor) Verify(_ context.Context, e *factor.Enrollment, code string, now time.Time) error {
	code, err := f.NormalizeCode(code)
	if err != nil {
		return err
	}
	if err := checkSecretLen(len(e.Secret)); err != nil {
		return errors.New("totp: enrollment has no usable secret")
	}
	first, last, err := f.steps(now, e.Counter)
	if err != nil {
		return err
	}
	step, ok := f.match(e.Secret, code, first, last)
	if !ok {
		return factor.ErrInvalidCode
	}
	e.Counter = step
	return nil
}

// steps returns the first and last time step to try at now, leaving out
// every step not later than counter. first > last means none is left.
func (f *Factor) steps(now time.Time, counter int64) (first, last int64, err error) {
	unix := now.Unix()
	if unix < 0 {
		return 0, 0, errors.New("totp: clock is before 1970")
	}
	t := unix / f.period
	behind, ahead := int64(f.cfg.Window.Behind()), int64(f.cfg.Window.Ahead())
	if t > math.MaxInt64-ahead {
		return 0, 0, errors.New("totp: clock is out of range")
	}
	first, last = max(t-behind, 0), t+ahead
	if counter >= last {
		return 1, 0, nil
	}
	return max(first, counter+1), last, nil
}

// match returns the first step from first to last whose code is code,
// comparing each step's code with code in constant time. code must be
// canonical. The HMAC is keyed once and reset for each step.
func (f *Factor) match(secret []byte, code string, first, last int64) (int64, bool) {
	want, err := strconv.Atoi(code)
	if err != nil {
		return 0, false
	}
	mac := hmac.New(f.cfg.Algorithm.hash, secret)
	msg := make([]byte, 8)
	sum := make([]byte, 0, mac.Size())
	for s := first; s <= last; s++ {
		binary.BigEndian.PutUint64(msg, uint64(s))
		mac.Reset()
		mac.Write(msg)
		sum = mac.Sum(sum[:0])
		got := truncate(sum) % f.modulus
		if subtle.ConstantTimeEq(int32(got), int32(want)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// truncate is the dynamic truncation of HOTP (RFC 4226, section 5.3) of
// sum, the HMAC of a counter: the low 4 bits of the last byte of sum pick
// 4 bytes of it, read as a 31-bit number. The code is its last
// Config.Digits decimal digits.
func truncate(sum []byte) uint32 {
	off := sum[len(sum)-1] & 0x0f
	return binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
}

// hash returns a new hash of a's hash function.
func (a Algorithm) hash() hash.Hash {
	switch a {
	case SHA256:
		return sha256.New()
	case SHA512:
		return sha512.New()
	}
	return sha1.New()
}
