package memstore

import (
	"context"
	"time"

	"github.com/twostep/twostep/factor"
)

var _ factor.ReservingStore = (*Store)(nil)

// ReserveAttemptGetEnrollment does ReserveAttempt and GetEnrollment in one
// step. It implements factor.ReservingStore. The attempt is counted whether
// the enrollment exists or not; a missing enrollment, or one of another
// user, is a nil enrollment and factor.ErrNotFound beside the attempts.
func (s *Store) ReserveAttemptGetEnrollment(_ context.Context, userID, id string, now time.Time) (factor.LockState, *factor.Enrollment, error) {
	s.lock()
	defer s.unlock()
	u := s.user(userID, true)
	if !now.Before(u.attempts.LockedUntil) {
		u.attempts.Failures++
	}
	e := s.enrollment(userID, id)
	if e == nil {
		return u.attempts, nil, factor.ErrNotFound
	}
	return u.attempts, e.Clone(), nil
}
