package sqlstore

import (
	"context"
	"time"

	"github.com/twostep/twostep/factor"
)

// reserveGetPostgres is reserveAttempt and selectEnrollment as one
// statement: the data-modifying WITH clause counts the attempt, and the
// query joins the enrollment to the attempts it returns. The join is LEFT,
// so that an unknown enrollment still yields the attempts, with the
// enrollment's NOT NULL columns coalesced and found false. Parameters: $1
// user, $2 now, $3 enrollment ID.
const reserveGetPostgres = `WITH a AS (` + reserveAttempt + `)
SELECT a.failures, a.locks, a.locked_until, e.id IS NOT NULL,
	coalesce(e.id, ''), coalesce(e.user_id, ''), coalesce(e.kind, ''), coalesce(e.label, ''),
	coalesce(e.address, ''), coalesce(e.is_primary, false), coalesce(e.confirmed, false),
	coalesce(e.replaces, ''), e.secret, coalesce(e.counter, 0), e.state, e.created_at,
	e.expires_at, e.confirmed_at, e.last_used_at, coalesce(e.version, 0)
FROM a LEFT JOIN twostep_enrollments e ON e.id = $3 AND e.user_id = $1`

var _ factor.ReservingStore = (*Store)(nil)

// ReserveAttemptGetEnrollment does ReserveAttempt and GetEnrollment: on
// PostgreSQL in one statement, so that with UpdateEnrollmentVerified a
// login with an authenticator app costs two statements, and a wrong code
// one. On SQLite, which has no data-modifying WITH clause and no round
// trip to save, it runs the two statements in turn. The attempt is counted
// whether the enrollment exists or not; a missing enrollment, or one of
// another user, is a nil enrollment and factor.ErrNotFound beside the
// attempts.
func (s *Store) ReserveAttemptGetEnrollment(ctx context.Context, userID, id string, now time.Time) (factor.LockState, *factor.Enrollment, error) {
	if s.d != Postgres {
		a, err := s.ReserveAttempt(ctx, userID, now)
		if err != nil {
			return a, nil, err
		}
		e, err := s.GetEnrollment(ctx, userID, id)
		return a, e, err
	}
	var (
		a     factor.LockState
		e     factor.Enrollment
		found bool
	)
	err := s.row(ctx, reserveGetPostgres, userID, s.t(now), id).Scan(
		&a.Failures, &a.Locks, tc(&a.LockedUntil), &found,
		&e.ID, &e.UserID, &e.Kind, &e.Label, &e.Address, &e.Primary, &e.Confirmed,
		&e.Replaces, &e.Secret, &e.Counter, &e.State, tc(&e.CreatedAt), tc(&e.ExpiresAt),
		tc(&e.ConfirmedAt), tc(&e.LastUsedAt), &e.Version)
	if err != nil {
		return factor.LockState{}, nil, wrap("reserve attempt", err)
	}
	if !found {
		return a, nil, wrap("get enrollment", factor.ErrNotFound)
	}
	return a, &e, nil
}
