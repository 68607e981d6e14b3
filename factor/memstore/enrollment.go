package memstore

import (
	"bytes"
	"context"
	"slices"
	"strings"

	"github.com/twostep/twostep/factor"
)

// CreateEnrollment stores a copy of e and sets e.Version to 1. An ID already
// in use, by any user, is factor.ErrConflict.
func (s *Store) CreateEnrollment(_ context.Context, e *factor.Enrollment) error {
	s.lock()
	defer s.unlock()
	s.sweepIfGrown(e.CreatedAt)
	if _, ok := s.enrollments[e.ID]; ok {
		return factor.ErrConflict
	}
	c := e.Clone()
	c.Version = 1
	s.enrollments[c.ID] = c
	u := s.user(c.UserID, true)
	u.enrollments = append(u.enrollments, c)
	e.Version = 1
	return nil
}

// GetEnrollment returns a copy of the user's enrollment with the given ID,
// or factor.ErrNotFound.
func (s *Store) GetEnrollment(_ context.Context, userID, id string) (*factor.Enrollment, error) {
	s.lock()
	defer s.unlock()
	e := s.enrollment(userID, id)
	if e == nil {
		return nil, factor.ErrNotFound
	}
	return e.Clone(), nil
}

// ListEnrollments returns copies of the user's enrollments ordered by
// CreatedAt, then ID.
func (s *Store) ListEnrollments(_ context.Context, userID string) ([]*factor.Enrollment, error) {
	s.lock()
	defer s.unlock()
	var stored []*factor.Enrollment
	if u := s.user(userID, false); u != nil {
		stored = u.enrollments
	}
	out := make([]*factor.Enrollment, len(stored))
	for i, e := range stored {
		out[i] = e.Clone()
	}
	slices.SortFunc(out, func(a, b *factor.Enrollment) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// UpdateEnrollment replaces the stored enrollment when its Version equals
// e.Version and then increments e.Version. A stale Version is
// factor.ErrConflict; an enrollment that is missing or belongs to another
// user is factor.ErrNotFound.
func (s *Store) UpdateEnrollment(_ context.Context, e *factor.Enrollment) error {
	s.lock()
	defer s.unlock()
	return s.updateEnrollment(e)
}

// UpdateEnrollmentVerified does UpdateEnrollment and, only if that
// succeeds, ResetAttempts for e.UserID, in one step. It implements
// factor.VerifiedStore.
func (s *Store) UpdateEnrollmentVerified(_ context.Context, e *factor.Enrollment) error {
	s.lock()
	defer s.unlock()
	if err := s.updateEnrollment(e); err != nil {
		return err
	}
	s.user(e.UserID, false).attempts = factor.LockState{}
	return nil
}

func (s *Store) updateEnrollment(e *factor.Enrollment) error {
	stored := s.enrollment(e.UserID, e.ID)
	if stored == nil {
		return factor.ErrNotFound
	}
	if stored.Version != e.Version {
		return factor.ErrConflict
	}
	next := *e
	next.Secret = keepOrClone(stored.Secret, e.Secret)
	next.State = keepOrClone(stored.State, e.State)
	*stored = next
	stored.Version++
	e.Version = stored.Version
	return nil
}

// keepOrClone returns stored when it holds the same bytes as b, nil or not
// alike, and a copy of b otherwise. A stored slice is never handed out nor
// changed in place, so an update that leaves it alone, as a verified code
// leaves the secret, need not copy it.
func keepOrClone(stored, b []byte) []byte {
	if (stored == nil) == (b == nil) && bytes.Equal(stored, b) {
		return stored
	}
	return slices.Clone(b)
}

// DeleteEnrollment removes one of the user's enrollments. An enrollment that
// is missing or belongs to another user is factor.ErrNotFound.
func (s *Store) DeleteEnrollment(_ context.Context, userID, id string) error {
	s.lock()
	defer s.unlock()
	e := s.enrollment(userID, id)
	if e == nil {
		return factor.ErrNotFound
	}
	delete(s.enrollments, id)
	u := s.user(userID, false)
	u.enrollments = slices.DeleteFunc(u.enrollments, func(x *factor.Enrollment) bool { return x == e })
	s.forget(userID, u)
	return nil
}

// DeleteEnrollments removes all of the user's enrollments and returns how
// many there were.
func (s *Store) DeleteEnrollments(_ context.Context, userID string) (int, error) {
	s.lock()
	defer s.unlock()
	u := s.user(userID, false)
	if u == nil {
		return 0, nil
	}
	n := len(u.enrollments)
	for _, e := range u.enrollments {
		delete(s.enrollments, e.ID)
	}
	u.enrollments = nil
	s.forget(userID, u)
	return n, nil
}

// enrollment returns the stored enrollment with the given ID if it belongs
// to the user, or nil.
func (s *Store) enrollment(userID, id string) *factor.Enrollment {
	e := s.enrollments[id]
	if e == nil || e.UserID != userID {
		return nil
	}
	return e
}
