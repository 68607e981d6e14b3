package factortest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

// The capabilities an admin or a maintenance job uses, rather than a
// login: a FaultStore offers them whatever Inner is, and a call that Inner
// cannot serve fails with an error wrapping errors.ErrUnsupported.

var (
	_ factor.PruningStore    = (*FaultStore)(nil)
	_ factor.ForgettingStore = (*FaultStore)(nil)
	_ factor.OverviewStore   = (*FaultStore)(nil)
	_ factor.HandleStore     = (*FaultStore)(nil)
)

func unsupported(method string) error {
	return fmt.Errorf("factortest: the inner store has no %s: %w", method, errors.ErrUnsupported)
}

// PruneExpired forwards to Inner unless this call fails.
func (s *FaultStore) PruneExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	return do(s, "PruneExpired", func(bool) (int, error) {
		ps, ok := s.Inner.(factor.PruningStore)
		if !ok {
			return 0, unsupported("PruneExpired")
		}
		return ps.PruneExpired(ctx, now, limit)
	})
}

// ForgetUser forwards to Inner unless this call fails.
func (s *FaultStore) ForgetUser(ctx context.Context, userID string, counterPrefixes []string) (int, error) {
	return do(s, "ForgetUser", func(bool) (int, error) {
		fs, ok := s.Inner.(factor.ForgettingStore)
		if !ok {
			return 0, unsupported("ForgetUser")
		}
		return fs.ForgetUser(ctx, userID, counterPrefixes)
	})
}

// ListUsersEnrollments forwards to Inner unless this call fails.
func (s *FaultStore) ListUsersEnrollments(ctx context.Context, userIDs []string) ([]*factor.Enrollment, error) {
	return do(s, "ListUsersEnrollments", func(bool) ([]*factor.Enrollment, error) {
		ov, ok := s.Inner.(factor.OverviewStore)
		if !ok {
			return nil, unsupported("ListUsersEnrollments")
		}
		return ov.ListUsersEnrollments(ctx, userIDs)
	})
}

// LockStates forwards to Inner unless this call fails.
func (s *FaultStore) LockStates(ctx context.Context, userIDs []string) (map[string]factor.LockState, error) {
	return do(s, "LockStates", func(bool) (map[string]factor.LockState, error) {
		ov, ok := s.Inner.(factor.OverviewStore)
		if !ok {
			return nil, unsupported("LockStates")
		}
		return ov.LockStates(ctx, userIDs)
	})
}

// PutHandle forwards to Inner unless this call fails.
func (s *FaultStore) PutHandle(ctx context.Context, userID string, handle []byte) error {
	return do0(s, "PutHandle", func(bool) error {
		hs, ok := s.Inner.(factor.HandleStore)
		if !ok {
			return unsupported("PutHandle")
		}
		return hs.PutHandle(ctx, userID, handle)
	})
}

// UserByHandle forwards to Inner unless this call fails.
func (s *FaultStore) UserByHandle(ctx context.Context, handle []byte) (string, error) {
	return do(s, "UserByHandle", func(bool) (string, error) {
		hs, ok := s.Inner.(factor.HandleStore)
		if !ok {
			return "", unsupported("UserByHandle")
		}
		return hs.UserByHandle(ctx, handle)
	})
}

// DeleteHandles forwards to Inner unless this call fails.
func (s *FaultStore) DeleteHandles(ctx context.Context, userID string) (int, error) {
	return do(s, "DeleteHandles", func(bool) (int, error) {
		hs, ok := s.Inner.(factor.HandleStore)
		if !ok {
			return 0, unsupported("DeleteHandles")
		}
		return hs.DeleteHandles(ctx, userID)
	})
}
