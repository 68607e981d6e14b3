package factor

import (
	"context"
	"fmt"
	"time"
)

// UserSummary is one line of an admin's user list.
type UserSummary struct {
	// UserID is the user.
	UserID string
	// Active reports whether the user has a confirmed enrollment ("2FA active:
	// yes").
	Active bool
	// Kinds lists the kinds of the user's confirmed enrollments.
	Kinds []Kind
	// LastUsedAt is when the user last passed a second step.
	LastUsedAt time.Time
	// LockedUntil is when the user's last lock after too many failures
	// ends; the user is locked while it is in the future. Only a store
	// that implements OverviewStore reports it.
	LockedUntil time.Time
}

// Overview summarises the given users for an admin page, in the order
// given. The host owns the user list, so it passes the IDs of one page.
// With a store that implements OverviewStore a page costs two store calls
// (two SQL statements with sqlstore) however many users it lists;
// otherwise one call per user, and no locks.
func (m *Manager) Overview(ctx context.Context, userIDs []string) ([]UserSummary, error) {
	for _, id := range userIDs {
		if err := checkUserID(id); err != nil {
			return nil, err
		}
	}
	all, locks, err := m.usersEnrollments(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	byUser := make(map[string][]*Enrollment, len(userIDs))
	for _, e := range all {
		byUser[e.UserID] = append(byUser[e.UserID], e)
	}
	out := make([]UserSummary, 0, len(userIDs))
	for _, id := range userIDs {
		s := UserSummary{UserID: id, LockedUntil: locks[id].LockedUntil}
		for _, e := range byUser[id] {
			if e.Confirmed {
				s.Active = true
				s.Kinds = append(s.Kinds, e.Kind)
			}
			if e.LastUsedAt.After(s.LastUsedAt) {
				s.LastUsedAt = e.LastUsedAt
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// usersEnrollments reads the enrollments and lock states of the users:
// two calls of an OverviewStore, or one ListEnrollments per user and no
// lock states.
func (m *Manager) usersEnrollments(ctx context.Context, userIDs []string) ([]*Enrollment, map[string]LockState, error) {
	ov, ok := m.cfg.Store.(OverviewStore)
	if !ok {
		var all []*Enrollment
		for _, id := range userIDs {
			list, err := m.store.ListEnrollments(ctx, id)
			if err != nil {
				return nil, nil, fmt.Errorf("factor: list enrollments: %w", err)
			}
			all = append(all, list...)
		}
		return all, nil, nil
	}
	ctx, cancel := m.storeContext(ctx)
	defer cancel()
	all, err := ov.ListUsersEnrollments(ctx, userIDs)
	if err != nil {
		return nil, nil, fmt.Errorf("factor: list enrollments: %w", err)
	}
	locks, err := ov.LockStates(ctx, userIDs)
	if err != nil {
		return nil, nil, fmt.Errorf("factor: lock states: %w", err)
	}
	return all, locks, nil
}

// lockedUntil returns when the user's lock ends, zero when the user is not
// locked at now or the store cannot tell without counting an attempt.
func (m *Manager) lockedUntil(ctx context.Context, userID string, now time.Time) (time.Time, error) {
	ov, ok := m.cfg.Store.(OverviewStore)
	if !ok {
		return time.Time{}, nil
	}
	ctx, cancel := m.storeContext(ctx)
	defer cancel()
	locks, err := ov.LockStates(ctx, []string{userID})
	if err != nil {
		return time.Time{}, fmt.Errorf("factor: lock state: %w", err)
	}
	if until := locks[userID].LockedUntil; now.Before(until) {
		return until, nil
	}
	return time.Time{}, nil
}
