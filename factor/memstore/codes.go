package memstore

import (
	"context"
	"crypto/subtle"
	"slices"
	"time"

	"github.com/twostep/twostep/factor"
)

// ReplaceRecoveryCodes replaces all of the user's recovery codes with copies
// of hashes.
func (s *Store) ReplaceRecoveryCodes(_ context.Context, userID string, hashes [][]byte) error {
	s.lock()
	defer s.unlock()
	u := s.user(userID, true)
	u.recovery = copyHashes(hashes)
	s.forget(userID, u)
	return nil
}

// ConsumeRecoveryCode removes the user's recovery code with the given hash
// and returns how many codes remain. No such code is factor.ErrNotFound.
// Every stored hash is compared in constant time.
func (s *Store) ConsumeRecoveryCode(_ context.Context, userID string, hash []byte) (int, error) {
	s.lock()
	defer s.unlock()
	u := s.user(userID, false)
	if u == nil {
		return 0, factor.ErrNotFound
	}
	found := -1
	for i, h := range u.recovery {
		if subtle.ConstantTimeCompare(h, hash) == 1 {
			found = i
		}
	}
	if found < 0 {
		return 0, factor.ErrNotFound
	}
	u.recovery = slices.Delete(u.recovery, found, found+1)
	n := len(u.recovery)
	s.forget(userID, u)
	return n, nil
}

// CountRecoveryCodes returns how many unused recovery codes the user has.
func (s *Store) CountRecoveryCodes(_ context.Context, userID string) (int, error) {
	s.lock()
	defer s.unlock()
	if u := s.user(userID, false); u != nil {
		return len(u.recovery), nil
	}
	return 0, nil
}

// PutActivationCode stores a copy of a as the user's activation code,
// replacing any earlier one.
func (s *Store) PutActivationCode(_ context.Context, a *factor.ActivationCode) error {
	s.lock()
	defer s.unlock()
	s.user(a.UserID, true).activation = cloneActivation(a)
	return nil
}

// GetActivationCode returns a copy of the user's activation code, or
// factor.ErrNotFound.
func (s *Store) GetActivationCode(_ context.Context, userID string) (*factor.ActivationCode, error) {
	s.lock()
	defer s.unlock()
	u := s.user(userID, false)
	if u == nil || u.activation == nil {
		return nil, factor.ErrNotFound
	}
	return cloneActivation(u.activation), nil
}

// UseActivationCode marks the user's activation code used at now if its hash
// equals hash, compared in constant time, and it is unused. A wrong or used
// code is factor.ErrConflict; no code is factor.ErrNotFound.
func (s *Store) UseActivationCode(_ context.Context, userID string, hash []byte, now time.Time) error {
	s.lock()
	defer s.unlock()
	u := s.user(userID, false)
	if u == nil || u.activation == nil {
		return factor.ErrNotFound
	}
	a := u.activation
	if subtle.ConstantTimeCompare(a.Hash, hash) != 1 || !a.UsedAt.IsZero() {
		return factor.ErrConflict
	}
	a.UsedAt = now
	return nil
}

// copyHashes copies hashes into one backing array, which costs a single
// allocation however many codes there are.
func copyHashes(hashes [][]byte) [][]byte {
	if len(hashes) == 0 {
		return nil
	}
	size := 0
	for _, h := range hashes {
		size += len(h)
	}
	buf := make([]byte, 0, size)
	out := make([][]byte, len(hashes))
	for i, h := range hashes {
		start := len(buf)
		buf = append(buf, h...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

func cloneActivation(a *factor.ActivationCode) *factor.ActivationCode {
	c := *a
	c.Hash = slices.Clone(a.Hash)
	return &c
}
