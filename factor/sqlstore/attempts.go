package sqlstore

import (
	"context"
	"time"

	"github.com/twostep/twostep/factor"
)

// The attempt statements are single upserts. In each, "locked" means
// locked_until > now; a NULL locked_until compares as unknown and so as not
// locked. All SET expressions see the row as it was before the statement.
const (
	reserveAttempt = `INSERT INTO twostep_attempts (user_id, failures, locks, locked_until)
VALUES ($1, 1, 0, NULL)
ON CONFLICT (user_id) DO UPDATE SET failures = CASE
	WHEN twostep_attempts.locked_until > $2 THEN twostep_attempts.failures
	ELSE twostep_attempts.failures + 1 END
RETURNING failures, locks, locked_until`

	lockUser = `INSERT INTO twostep_attempts (user_id, failures, locks, locked_until)
VALUES ($1, 0, 1, $3)
ON CONFLICT (user_id) DO UPDATE SET
	failures = CASE WHEN twostep_attempts.locked_until > $2
		THEN twostep_attempts.failures ELSE 0 END,
	locks = CASE WHEN twostep_attempts.locked_until > $2
		THEN twostep_attempts.locks ELSE twostep_attempts.locks + 1 END,
	locked_until = CASE WHEN twostep_attempts.locked_until > $2
		THEN twostep_attempts.locked_until ELSE $3 END
RETURNING failures, locks, locked_until`

	resetAttempts = `DELETE FROM twostep_attempts WHERE user_id = $1`
)

func scanAttempts(r rowScanner) (factor.LockState, error) {
	var a factor.LockState
	err := r.Scan(&a.Failures, &a.Locks, tc(&a.LockedUntil))
	return a, err
}

// ReserveAttempt counts an attempt in one statement: unless the user is
// locked at now it increments Failures. It returns the state after the
// call.
func (s *Store) ReserveAttempt(ctx context.Context, userID string, now time.Time) (factor.LockState, error) {
	a, err := scanAttempts(s.row(ctx, reserveAttempt, userID, s.t(now)))
	return a, wrap("reserve attempt", err)
}

// LockUser locks the user until the given time, resets Failures and
// increments Locks, in one statement, unless the user is already locked at
// now, in which case it changes nothing. It returns the state after the
// call.
func (s *Store) LockUser(ctx context.Context, userID string, now, until time.Time) (factor.LockState, error) {
	a, err := scanAttempts(s.row(ctx, lockUser, userID, s.t(now), s.t(until)))
	return a, wrap("lock user", err)
}

// ResetAttempts forgets the user's failures, locks and lock.
func (s *Store) ResetAttempts(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, resetAttempts, userID)
	return wrap("reset attempts", err)
}
