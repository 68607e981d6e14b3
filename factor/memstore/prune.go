package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
)

var (
	_ factor.PruningStore    = (*Store)(nil)
	_ factor.ForgettingStore = (*Store)(nil)
)

// swept holds the sizes of the record maps after their last sweep.
type swept struct {
	challenges, devices, enrollments int
}

// sweepIfGrown removes the records that can never be used again at now
// from each record map that has doubled since its last sweep, as counters
// are swept, so that a long-running process keeps flat memory without
// calling PruneExpired. The cost per created record is amortised
// constant. now is the new record's creation time; a zero one sweeps
// nothing.
func (s *Store) sweepIfGrown(now time.Time) {
	if now.IsZero() {
		return
	}
	if len(s.challenges) >= max(minSweep, 2*s.swept.challenges) {
		s.pruneChallenges(now, -1)
		s.swept.challenges = len(s.challenges)
	}
	if len(s.devices) >= max(minSweep, 2*s.swept.devices) {
		s.pruneDevices(now, -1)
		s.swept.devices = len(s.devices)
	}
	if len(s.enrollments) >= max(minSweep, 2*s.swept.enrollments) {
		s.pruneEnrollments(now, -1)
		s.swept.enrollments = len(s.enrollments)
	}
}

// PruneExpired removes at most limit records that can never be used again
// at now, as factor.PruningStore documents, and returns how many it
// removed.
func (s *Store) PruneExpired(_ context.Context, now time.Time, limit int) (int, error) {
	s.lock()
	defer s.unlock()
	n := s.pruneChallenges(now, limit)
	n += s.pruneDevices(now, limit-n)
	n += s.pruneEnrollments(now, limit-n)
	n += s.pruneActivationCodes(now, limit-n)
	n += s.counters.prune(now, limit-n)
	return n, nil
}

// pruneChallenges removes up to limit expired challenges; a negative limit
// means all of them.
func (s *Store) pruneChallenges(now time.Time, limit int) int {
	dead := map[string][]string{}
	n := 0
	for id, c := range s.challenges {
		if n == limit {
			break
		}
		if !c.ExpiresAt.After(now) {
			dead[c.UserID] = append(dead[c.UserID], id)
			delete(s.challenges, id)
			n++
		}
	}
	for userID, ids := range dead {
		u := s.user(userID, false)
		u.challenges = slices.DeleteFunc(u.challenges, func(id string) bool { return slices.Contains(ids, id) })
		s.forget(userID, u)
	}
	s.challenges = compact(s.challenges, n)
	return n
}

// pruneDevices removes up to limit expired devices; a negative limit means
// all of them.
func (s *Store) pruneDevices(now time.Time, limit int) int {
	n := 0
	for id, d := range s.devices {
		if n == limit {
			break
		}
		if !d.ExpiresAt.After(now) {
			delete(s.devices, id)
			u := s.user(d.UserID, false)
			u.devices = slices.DeleteFunc(u.devices, func(x *factor.TrustedDevice) bool { return x == d })
			s.forget(d.UserID, u)
			n++
		}
	}
	s.devices = compact(s.devices, n)
	return n
}

// pruneEnrollments removes up to limit abandoned pending enrollments; a
// negative limit means all of them.
func (s *Store) pruneEnrollments(now time.Time, limit int) int {
	n := 0
	for id, e := range s.enrollments {
		if n == limit {
			break
		}
		if !e.Confirmed && !e.ExpiresAt.IsZero() && !e.ExpiresAt.After(now) {
			delete(s.enrollments, id)
			u := s.user(e.UserID, false)
			u.enrollments = slices.DeleteFunc(u.enrollments, func(x *factor.Enrollment) bool { return x == e })
			s.forget(e.UserID, u)
			n++
		}
	}
	s.enrollments = compact(s.enrollments, n)
	return n
}

// pruneActivationCodes removes up to limit expired activation codes.
func (s *Store) pruneActivationCodes(now time.Time, limit int) int {
	n := 0
	for userID, u := range s.users {
		if n == limit {
			break
		}
		if a := u.activation; a != nil && !a.ExpiresAt.After(now) {
			u.activation = nil
			s.forget(userID, u)
			n++
		}
	}
	return n
}

// prune removes up to limit expired counters; a negative limit means all
// of them.
func (cs *counters) prune(now time.Time, limit int) int {
	n := 0
	for k, c := range cs.m {
		if n == limit {
			break
		}
		if !c.expires.After(now) {
			delete(cs.m, k)
			n++
		}
	}
	cs.m = compact(cs.m, n)
	return n
}

// compact returns m, or a copy of it once removed is at least as many
// entries as are left: a Go map never gives back the room it once needed,
// so only a new map lets memory shrink.
func compact[K comparable, V any](m map[K]V, removed int) map[K]V {
	if removed < minSweep/4 || removed < len(m) {
		return m
	}
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// ForgetUser removes every record of the user and the counters whose keys
// start with one of counterPrefixes, as factor.ForgettingStore documents,
// and returns how many records it removed.
func (s *Store) ForgetUser(_ context.Context, userID string, counterPrefixes []string) (int, error) {
	s.lock()
	defer s.unlock()
	n := 0
	if u := s.users[userID]; u != nil {
		for _, e := range u.enrollments {
			delete(s.enrollments, e.ID)
		}
		for _, d := range u.devices {
			delete(s.devices, d.ID)
		}
		for _, id := range u.challenges {
			delete(s.challenges, id)
		}
		n = len(u.enrollments) + len(u.devices) + len(u.challenges) + len(u.recovery)
		if u.activation != nil {
			n++
		}
		if u.state.Version != 0 {
			n++
		}
		if u.attempts != (factor.LockState{}) {
			n++
		}
		delete(s.users, userID)
	}
	for h, owner := range s.handles {
		if owner == userID {
			delete(s.handles, h)
			n++
		}
	}
	for k := range s.counters.m {
		for _, p := range counterPrefixes {
			if strings.HasPrefix(k, p) {
				delete(s.counters.m, k)
				n++
				break
			}
		}
	}
	return n, nil
}
