package factor

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// ServerKey is a server secret from which twostep derives the keys that seal
// factor secrets at rest and hash codes. Keys rotate: Config.Keys lists the
// current key first and older keys after it.
type ServerKey struct {
	// ID names the key; it is stored beside everything the key sealed or
	// hashed, so it must be unique and should never be reused. 1 to 32
	// bytes.
	ID string
	// Secret is at least 32 bytes from a cryptographic random source.
	Secret []byte
}

// ErrSealed means a sealed secret could not be opened: it was tampered
// with, moved to another enrollment, or sealed with an unknown key.
var ErrSealed = errors.New("factor: sealed secret cannot be opened")

const sealVersion = 1

type derivedKey struct {
	id   string
	aead interface {
		Seal(dst, nonce, plaintext, additionalData []byte) []byte
		Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
		NonceSize() int
	}
	mac []byte
}

// Sealer seals secrets with XChaCha20-Poly1305 under the current key and
// opens them under any configured key. The associated data binds each
// ciphertext to where it belongs, so a sealed secret copied elsewhere does
// not open. A Sealer is safe for concurrent use.
type Sealer struct {
	keys []derivedKey
	rand io.Reader
}

// NewSealer returns a Sealer for keys, the current key first.
func NewSealer(keys []ServerKey) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, &ConfigError{Field: "Keys", Reason: "at least one key is required"}
	}
	s := &Sealer{rand: rand.Reader}
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		if err := checkKey(k, seen); err != nil {
			return nil, &ConfigError{Field: fmt.Sprintf("Keys[%d]", i), Reason: err.Error()}
		}
		dk, err := deriveKey(k)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, dk)
	}
	return s, nil
}

func checkKey(k ServerKey, seen map[string]bool) error {
	switch {
	case len(k.ID) == 0 || len(k.ID) > 32:
		return errors.New("ID must be 1 to 32 bytes")
	case seen[k.ID]:
		return errors.New("duplicate ID")
	case len(k.Secret) < 32:
		return errors.New("secret must be at least 32 bytes")
	}
	seen[k.ID] = true
	return nil
}

func deriveKey(k ServerKey) (derivedKey, error) {
	sealKey := make([]byte, chacha20poly1305.KeySize)
	macKey := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, k.Secret, nil, []byte("twostep seal v1")), sealKey); err != nil {
		return derivedKey{}, err
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, k.Secret, nil, []byte("twostep mac v1")), macKey); err != nil {
		return derivedKey{}, err
	}
	aead, err := chacha20poly1305.NewX(sealKey)
	if err != nil {
		return derivedKey{}, err
	}
	return derivedKey{id: k.ID, aead: aead, mac: macKey}, nil
}

// Seal encrypts plaintext under the current key. The result records the
// key's ID; ad must be given again to Open.
func (s *Sealer) Seal(plaintext, ad []byte) ([]byte, error) {
	k := &s.keys[0]
	n := k.aead.NonceSize()
	out := make([]byte, 0, 2+len(k.id)+n+len(plaintext)+chacha20poly1305.Overhead)
	out = append(out, sealVersion, byte(len(k.id)))
	out = append(out, k.id...)
	nonce := out[len(out) : len(out)+n]
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return nil, fmt.Errorf("factor: seal: %w", err)
	}
	out = out[:len(out)+n]
	return k.aead.Seal(out, nonce, plaintext, ad), nil
}

// Open decrypts a sealed secret. Anything but an untouched ciphertext with
// the same associated data under a configured key is ErrSealed.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	k, rest, err := s.keyOf(sealed)
	if err != nil {
		return nil, err
	}
	n := k.aead.NonceSize()
	if len(rest) < n+chacha20poly1305.Overhead {
		return nil, ErrSealed
	}
	plain, err := k.aead.Open(nil, rest[:n], rest[n:], ad)
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}

// Current reports whether sealed was sealed with the current key. A false
// answer means the secret should be re-sealed after a key rotation.
func (s *Sealer) Current(sealed []byte) bool {
	k, _, err := s.keyOf(sealed)
	return err == nil && k == &s.keys[0]
}

func (s *Sealer) keyOf(sealed []byte) (*derivedKey, []byte, error) {
	if len(sealed) < 2 || sealed[0] != sealVersion || len(sealed) < 2+int(sealed[1]) {
		return nil, nil, ErrSealed
	}
	id := sealed[2 : 2+int(sealed[1])]
	for i := range s.keys {
		if s.keys[i].id == string(id) {
			return &s.keys[i], sealed[2+len(id):], nil
		}
	}
	return nil, nil, ErrSealed
}

// MAC returns a keyed hash of data under the current key, for storing a code
// or token without storing it. purpose and userID are bound into the hash,
// so a hash is worth nothing for another purpose or user. The result starts
// with the key's ID, so that CheckMAC finds the key after a rotation.
func (s *Sealer) MAC(purpose, userID string, data []byte) []byte {
	k := &s.keys[0]
	out := make([]byte, 0, 1+len(k.id)+sha256.Size)
	out = append(out, byte(len(k.id)))
	out = append(out, k.id...)
	return k.appendMAC(out, purpose, userID, data)
}

// MACs returns the keyed hash of data under every configured key, current
// key first, for looking up stored hashes that may predate a rotation.
func (s *Sealer) MACs(purpose, userID string, data []byte) [][]byte {
	out := make([][]byte, len(s.keys))
	for i := range s.keys {
		k := &s.keys[i]
		h := append([]byte{byte(len(k.id))}, k.id...)
		out[i] = k.appendMAC(h, purpose, userID, data)
	}
	return out
}

// CheckMAC reports in constant time whether stored is the keyed hash of
// data for purpose and userID under the key it names.
func (s *Sealer) CheckMAC(stored []byte, purpose, userID string, data []byte) bool {
	if len(stored) < 1 || len(stored) != 1+int(stored[0])+sha256.Size {
		return false
	}
	id := stored[1 : 1+int(stored[0])]
	for i := range s.keys {
		if s.keys[i].id == string(id) {
			return s.keys[i].checkMAC(stored[1+len(id):], purpose, userID, data)
		}
	}
	return false
}

// Digest returns a keyed hash of data for purpose under the current key,
// without the key's ID: a stable name for something that must not be
// stored in the clear, such as a phone number in the name of a send
// budget. Unlike MAC it cannot be checked after a rotation; use it only
// where a new name after a rotation does no harm.
func (s *Sealer) Digest(purpose string, data []byte) []byte {
	return s.keys[0].sum(purpose, "", data)
}

// sum is the HMAC-SHA256 under k's MAC key of the length-prefixed purpose
// and user ID, then data.
func (k *derivedKey) sum(purpose, userID string, data []byte) []byte {
	h := hmac.New(sha256.New, k.mac)
	h.Write(appendField(appendField(nil, purpose), userID))
	h.Write(data)
	return h.Sum(nil)
}

func (k *derivedKey) appendMAC(dst []byte, purpose, userID string, data []byte) []byte {
	return append(dst, k.sum(purpose, userID, data)...)
}

// checkMAC reports in constant time whether sum is the keyed hash.
func (k *derivedKey) checkMAC(sum []byte, purpose, userID string, data []byte) bool {
	return hmac.Equal(k.sum(purpose, userID, data), sum)
}

// appendField appends a length-prefixed string, so that fields never run
// into each other ambiguously.
func appendField(b []byte, s string) []byte {
	b = append(b, byte(len(s)>>24), byte(len(s)>>16), byte(len(s)>>8), byte(len(s)))
	return append(b, s...)
}
