package factor

import (
	"context"
	"time"
)

// PruningStore is an optional capability of a Store: removing records that
// can never be used again, so that nothing grows without bound. Manager.Prune
// uses it. factor/memstore and factor/sqlstore implement it.
type PruningStore interface {
	// PruneExpired removes at most limit records that can never be used
	// again at now, and returns how many it removed: every challenge,
	// counter, trusted device, activation code and pending (not confirmed)
	// enrollment whose expiry is not after now. A used challenge or
	// activation code stays until it expires, so that a page asking about
	// it still hears "used"; it can never be used again either way.
	//
	// Nothing else is removed: not confirmed enrollments, attempts, user
	// state or recovery codes, which have no expiry. Removing fewer than
	// limit records means none is left to remove. It is safe to call from
	// several processes at once; a record is counted by the call that
	// removed it. A SQL store removes at most limit rows per statement, so
	// that no statement holds locks for long on a table of millions.
	PruneExpired(ctx context.Context, now time.Time, limit int) (int, error)
}

// ForgettingStore is an optional capability of a Store: erasing everything
// stored about a user, for account deletion. Manager.Forget uses it.
// factor/memstore and factor/sqlstore implement it.
type ForgettingStore interface {
	// ForgetUser removes every record of the user (enrollments, attempts,
	// challenges, trusted devices, recovery codes, activation code, user
	// state and, in a store that is also a HandleStore, the user's
	// handles) and every counter whose key starts with one of
	// counterPrefixes, and returns how many records it removed. Other
	// users' records are left alone. Forgetting a user the store has never
	// seen removes nothing and is not an error.
	ForgetUser(ctx context.Context, userID string, counterPrefixes []string) (int, error)
}

// OverviewStore is an optional capability of a Store: reading what an
// admin's user list shows for many users at once, in one call each, so that
// a page of users costs a fixed number of round trips however long it is.
// Manager.Overview and Manager.Status use it. factor/memstore and
// factor/sqlstore implement it.
type OverviewStore interface {
	// ListUsersEnrollments returns the enrollments of the given users,
	// ordered by user ID, then CreatedAt, then ID. Secret and State may be
	// left nil: the list is for display. Users without enrollments have
	// none in the list.
	ListUsersEnrollments(ctx context.Context, userIDs []string) ([]*Enrollment, error)
	// LockStates returns the failure accounting of those of the given
	// users that have any, keyed by user ID, without changing it.
	LockStates(ctx context.Context, userIDs []string) (map[string]LockState, error)
}
