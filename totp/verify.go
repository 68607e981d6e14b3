package totp

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"math"
	"sync"
	"time"

	"github.com/twostep/twostep/factor"
)

// maxDigits is the longest code a Config allows.
const maxDigits = 8

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

// match returns the first step from first to last whose code is code.
// code must be canonical.
func (f *Factor) match(secret []byte, code string, first, last int64) (int64, bool) {
	if first > last {
		return 0, false
	}
	var want, got [maxDigits]byte
	n := copy(want[:], code)
	g := newGenerator(f.cfg.Algorithm, secret)
	defer g.wipe()
	for s := first; s <= last; s++ {
		g.code(uint64(s), got[:n])
		if subtle.ConstantTimeCompare(got[:n], want[:n]) == 1 {
			return s, true
		}
	}
	return 0, false
}

// generator computes the HOTP values (RFC 4226, section 5.3) of one
// secret with HMAC (RFC 2104) keyed once: newGenerator hashes the padded
// keys (key ^ ipad, key ^ opad) once and saves both hash states, and each
// step resumes from them, which costs two compressions of the hash per
// step instead of four. Generators are pooled, so that Verify allocates
// nothing. Tests check it against crypto/hmac.
type generator struct {
	alg          Algorithm
	inner, outer stateHash
	istate       []byte // inner hash state after key ^ ipad
	ostate       []byte // outer hash state after key ^ opad
	ctr          [8]byte
	pad          [sha512.BlockSize]byte
	sum          [sha512.Size]byte
}

// stateHash is a hash whose state can be saved and restored, as every hash
// of crypto/sha1, crypto/sha256 and crypto/sha512 is.
type stateHash interface {
	hash.Hash
	encoding.BinaryAppender
	encoding.BinaryUnmarshaler
}

// maxState is the size of the largest saved hash state, SHA-512's.
const maxState = 4 + sha512.Size + sha512.BlockSize + 8

var generators = [...]sync.Pool{
	SHA1:   {New: func() any { return allocGenerator(SHA1) }},
	SHA256: {New: func() any { return allocGenerator(SHA256) }},
	SHA512: {New: func() any { return allocGenerator(SHA512) }},
}

func allocGenerator(alg Algorithm) *generator {
	return &generator{
		alg:    alg,
		inner:  alg.newHash().(stateHash),
		outer:  alg.newHash().(stateHash),
		istate: make([]byte, 0, maxState),
		ostate: make([]byte, 0, maxState),
	}
}

// newGenerator returns a pooled generator keyed with secret. Call wipe
// when done with it.
func newGenerator(alg Algorithm, secret []byte) *generator {
	g := generators[alg].Get().(*generator)
	block := alg.blockSize()
	key := secret
	if len(key) > block {
		key = alg.sum(&g.sum, key)
	}
	g.istate = g.key(g.inner, key, 0x36, g.istate)
	g.ostate = g.key(g.outer, key, 0x5c, g.ostate)
	clear(g.sum[:])
	return g
}

// key hashes key padded to the block and XORed with pad into h and saves
// the state in state[:0].
func (g *generator) key(h stateHash, key []byte, pad byte, state []byte) []byte {
	p := g.pad[:h.BlockSize()]
	clear(p)
	copy(p, key)
	for i := range p {
		p[i] ^= pad
	}
	h.Reset()
	h.Write(p)
	clear(p)
	state, _ = h.AppendBinary(state[:0])
	return state
}

// code writes the HOTP value of counter into dst as len(dst) ASCII digits,
// zero-padded on the left.
func (g *generator) code(counter uint64, dst []byte) {
	binary.BigEndian.PutUint64(g.ctr[:], counter)
	// The states were saved by the same kind of hash, so restoring them
	// cannot fail.
	_ = g.inner.UnmarshalBinary(g.istate)
	g.inner.Write(g.ctr[:])
	inner := g.inner.Sum(g.sum[:0])
	_ = g.outer.UnmarshalBinary(g.ostate)
	g.outer.Write(inner)
	mac := g.outer.Sum(g.sum[:0])
	off := mac[len(mac)-1] & 0x0f
	v := binary.BigEndian.Uint32(mac[off:off+4]) & 0x7fffffff
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = '0' + byte(v%10)
		v /= 10
	}
}

// wipe clears the key material and returns g to the pool.
func (g *generator) wipe() {
	clear(g.istate[:cap(g.istate)])
	clear(g.ostate[:cap(g.ostate)])
	clear(g.sum[:])
	g.inner.Reset()
	g.outer.Reset()
	generators[g.alg].Put(g)
}

// newHash returns a new hash of a's hash function.
func (a Algorithm) newHash() hash.Hash {
	switch a {
	case SHA256:
		return sha256.New()
	case SHA512:
		return sha512.New()
	}
	return sha1.New()
}
