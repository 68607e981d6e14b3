package sqlstore

import (
	"context"

	"github.com/twostep/twostep/factor"
)

// updateVerifiedPostgres is UpdateEnrollment and, only if it changed the
// row, ResetAttempts, as one statement: PostgreSQL runs a data-modifying
// WITH clause even when the query does not read it.
const updateVerifiedPostgres = `WITH updated AS (` + updateEnrollment + `
RETURNING user_id),
reset AS (DELETE FROM twostep_attempts WHERE user_id IN (SELECT user_id FROM updated))
SELECT count(*) FROM updated`

// updateVerifiedSQLite is UpdateEnrollment that also sets reset_attempts,
// whose trigger (see the SQLite migration) deletes the user's attempts in
// the same statement. SQLite has no data-modifying WITH clause.
const updateVerifiedSQLite = `UPDATE twostep_enrollments SET kind = $3, label = $4, address = $5,
	is_primary = $6, confirmed = $7, replaces = $8, secret = $9, counter = $10,
	state = $11, created_at = $12, expires_at = $13, confirmed_at = $14,
	last_used_at = $15, version = version + 1, reset_attempts = 1
WHERE id = $1 AND user_id = $2 AND version = $16`

var _ factor.VerifiedStore = (*Store)(nil)

// UpdateEnrollmentVerified does UpdateEnrollment and, only if that
// succeeds, ResetAttempts for e.UserID, atomically. It is the save after a
// successful code, so with GetEnrollment and ReserveAttempt a login with an
// authenticator app costs three statements. It is one statement on both
// dialects: a data-modifying WITH clause on PostgreSQL, an UPDATE whose
// trigger deletes the attempts on SQLite.
func (s *Store) UpdateEnrollmentVerified(ctx context.Context, e *factor.Enrollment) error {
	args := append(s.enrollmentArgs(e), e.Version)
	var n int64
	var err error
	if s.d == Postgres {
		err = s.db.QueryRowContext(ctx, updateVerifiedPostgres, args...).Scan(&n)
	} else {
		n, err = s.exec(ctx, updateVerifiedSQLite, args...)
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
