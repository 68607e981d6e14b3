package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/twostep/twostep/factor"
)

var _ factor.OverviewStore = (*Store)(nil)

// ListUsersEnrollments returns copies of the given users' enrollments,
// without secrets or factor state, ordered by user ID, then CreatedAt,
// then ID.
func (s *Store) ListUsersEnrollments(_ context.Context, userIDs []string) ([]*factor.Enrollment, error) {
	s.lock()
	defer s.unlock()
	out := []*factor.Enrollment{}
	for _, id := range slices.Compact(slices.Sorted(slices.Values(userIDs))) {
		u := s.user(id, false)
		if u == nil {
			continue
		}
		start := len(out)
		for _, e := range u.enrollments {
			c := *e
			c.Secret, c.State = nil, nil
			out = append(out, &c)
		}
		slices.SortFunc(out[start:], func(a, b *factor.Enrollment) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return out, nil
}

// LockStates returns the failure accounting of those of the given users
// that have any.
func (s *Store) LockStates(_ context.Context, userIDs []string) (map[string]factor.LockState, error) {
	s.lock()
	defer s.unlock()
	out := make(map[string]factor.LockState)
	for _, id := range userIDs {
		if u := s.user(id, false); u != nil && u.attempts != (factor.LockState{}) {
			out[id] = u.attempts
		}
	}
	return out, nil
}
