package sqlstore

import (
	"context"
	"database/sql"

	"github.com/twostep/twostep/factor"
)

// updateVerifiedPostgres is UpdateEnrollment and, only if it changed the
// row, ResetAttempts, as one statement: PostgreSQL runs a data-modifying
// WITH clause even when the query does not read it. It resets the
// attempts row to zeros rather than deleting it, which means the same as
// no row to every attempt statement: the next login's upsert then updates
// the row instead of inserting it, and both writes can be HOT updates
// that touch no index, where an insert and a delete per login would churn
// the primary key's index and leave dead tuples to vacuum.
const updateVerifiedPostgres = `WITH updated AS (` + updateEnrollment + `
RETURNING user_id),
reset AS (UPDATE twostep_attempts SET failures = 0, locks = 0, locked_until = NULL
	WHERE user_id IN (SELECT user_id FROM updated))
SELECT count(*) FROM updated`

var _ factor.VerifiedStore = (*Store)(nil)

// UpdateEnrollmentVerified does UpdateEnrollment and, only if that
// succeeds, ResetAttempts for e.UserID, atomically. It is the save after a
// successful code. On PostgreSQL it is one statement, a data-modifying
// WITH clause, so that with ReserveAttemptGetEnrollment a login with an
// authenticator app costs two statements. SQLite has no data-modifying
// WITH clause: there it is a transaction of the compare-and-swap UPDATE
// and the DELETE of the user's attempts.
func (s *Store) UpdateEnrollmentVerified(ctx context.Context, e *factor.Enrollment) error {
	args := append(s.enrollmentArgs(e), e.Version)
	var n int64
	var err error
	if s.d == Postgres {
		err = s.row(ctx, updateVerifiedPostgres, args...).Scan(&n)
	} else {
		n, err = s.updateVerifiedInTx(ctx, e.UserID, args)
	}
	if err == nil && n == 0 {
		err = s.missed(ctx, enrollmentExists, e.ID, e.UserID)
	}
	if err != nil {
		return wrap("update enrollment verified", err)
	}
	e.Version++
	return nil
}

// updateVerifiedInTx runs updateEnrollment with args and, only if it
// changed the row, resetAttempts for userID, in one transaction. It
// returns how many enrollments the UPDATE changed.
func (s *Store) updateVerifiedInTx(ctx context.Context, userID string, args []any) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = execOn(ctx, tx, updateEnrollment, args...)
		if err != nil || n == 0 {
			return err
		}
		_, err = execOn(ctx, tx, resetAttempts, userID)
		return err
	})
	return n, err
}
