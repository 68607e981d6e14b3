package memstore

import (
	"bytes"
	"context"

	"github.com/twostep/twostep/factor"
)

// CreateChallenge stores a copy of c and sets c.Version to 1. An ID already
// in use is factor.ErrConflict.
func (s *Store) CreateChallenge(_ context.Context, c *factor.Challenge) error {
	s.lock()
	defer s.unlock()
	s.sweepIfGrown(c.SentAt)
	if _, ok := s.challenges[c.ID]; ok {
		return factor.ErrConflict
	}
	stored := c.Clone()
	stored.Version = 1
	s.challenges[c.ID] = stored
	u := s.user(c.UserID, true)
	u.challenges = append(u.challenges, c.ID)
	c.Version = 1
	return nil
}

// GetChallenge returns a copy of the challenge with the given ID, or
// factor.ErrNotFound.
func (s *Store) GetChallenge(_ context.Context, id string) (*factor.Challenge, error) {
	s.lock()
	defer s.unlock()
	c := s.challenges[id]
	if c == nil {
		return nil, factor.ErrNotFound
	}
	return c.Clone(), nil
}

// UpdateChallenge replaces the stored challenge when its Version equals
// c.Version and then increments c.Version. A stale Version is
// factor.ErrConflict; a challenge that is missing or belongs to another user
// is factor.ErrNotFound.
func (s *Store) UpdateChallenge(_ context.Context, c *factor.Challenge) error {
	s.lock()
	defer s.unlock()
	stored := s.challenges[c.ID]
	if stored == nil || stored.UserID != c.UserID {
		return factor.ErrNotFound
	}
	if stored.Version != c.Version {
		return factor.ErrConflict
	}
	next := *c
	next.CodeHash = stored.CodeHash // a resend's new code changes it
	if !bytes.Equal(stored.CodeHash, c.CodeHash) {
		next.CodeHash = append([]byte(nil), c.CodeHash...)
	}
	*stored = next
	stored.Version++
	c.Version = stored.Version
	return nil
}

// DeleteChallenges removes all of the user's challenges.
func (s *Store) DeleteChallenges(_ context.Context, userID string) error {
	s.lock()
	defer s.unlock()
	u := s.user(userID, false)
	if u == nil {
		return nil
	}
	for _, id := range u.challenges {
		delete(s.challenges, id)
	}
	u.challenges = nil
	s.forget(userID, u)
	return nil
}
