package memstore

import (
	"context"
	"time"

	"github.com/twostep/twostep/factor"
)

// ReserveAttempt counts an attempt of the user at now, unless the user is
// locked at now, and returns the user's attempts after the call.
func (s *Store) ReserveAttempt(_ context.Context, userID string, now time.Time) (factor.LockState, error) {
	s.lock()
	defer s.unlock()
	u := s.user(userID, true)
	if !now.Before(u.attempts.LockedUntil) {
		u.attempts.Failures++
	}
	return u.attempts, nil
}

// LockUser locks the user until the given time, unless the user is locked at
// now already, and returns the user's attempts after the call.
func (s *Store) LockUser(_ context.Context, userID string, now, until time.Time) (factor.LockState, error) {
	s.lock()
	defer s.unlock()
	u := s.user(userID, true)
	if !now.Before(u.attempts.LockedUntil) {
		u.attempts.Failures = 0
		u.attempts.Locks++
		u.attempts.LockedUntil = until
	}
	return u.attempts, nil
}

// ResetAttempts forgets the user's failures, locks and lock.
func (s *Store) ResetAttempts(_ context.Context, userID string) error {
	s.lock()
	defer s.unlock()
	u := s.user(userID, false)
	if u != nil {
		u.attempts = factor.LockState{}
		s.forget(userID, u)
	}
	return nil
}
