package sqlstore

import (
	"context"
	"database/sql"

	"github.com/twostep/twostep/factor"
)

// updateVerifiedPostgres is UpdateEnrollment and, only if it changed the
// row, ResetAttempts, as one statement: PostgreSQL runs a data-modifying
// WITH clause even when the query does not read it.
const updateVerifiedPostgres = `WITH updated AS (` + updateEnrollment + `
RETURNING user_id),
reset AS (DELETE FROM twostep_attempts WHERE user_id IN (SELECT user_id FROM updated))
SELECT count(*) FROM updated`

var _ factor.VerifiedStore = (*Store)(nil)

// UpdateEnrollmentVerified does UpdateEnrollment and, only if that
// succeeds, ResetAttempts for e.UserID, atomically. It is the save after a
// successful code, so with GetEnrollment and ReserveAttempt a login with an
// authenticator app costs three statements. On PostgreSQL it is one
// statement; on SQLite an UPDATE and a DELETE in one transaction.
func (s *Store) UpdateEnrollmentVerified(ctx context.Context, e *factor.Enrollment) error {
	args := append(s.enrollmentArgs(e), e.Version)
	var n int64
	var err error
	if s.d == Postgres {
		err = s.db.QueryRowContext(ctx, updateVerifiedPostgres, args...).Scan(&n)
	} else {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			n, err = updateThenReset(ctx, tx, e.UserID, args)
			return err
		})
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

// updateThenReset runs the compare-and-swap update in tx and, if it changed
// the row, resets the user's attempts. It returns the rows updated.
func updateThenReset(ctx context.Context, tx *sql.Tx, userID string, args []any) (int64, error) {
	n, err := execOn(ctx, tx, updateEnrollment, args...)
	if err != nil || n == 0 {
		return n, err
	}
	_, err = tx.ExecContext(ctx, resetAttempts, userID)
	return n, err
}
