package sqlstore

import (
	"context"

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

// updateVerifiedSQLite is UpdateEnrollment that also sets verified_reset,
// whose trigger (see SQLite migration 0002) deletes the user's attempts in
// the same statement. SQLite has no data-modifying WITH clause.
const updateVerifiedSQLite = `UPDATE twostep_enrollments SET kind = $3, label = $4, address = $5,
	is_primary = $6, confirmed = $7, replaces = $8, secret = $9, counter = $10,
	state = $11, created_at = $12, expires_at = $13, confirmed_at = $14,
	last_used_at = $15, version = version + 1, verified_reset = 1
WHERE id = $1 AND user_id = $2 AND version = $16`

var _ factor.VerifiedStore = (*Store)(nil)

// UpdateEnrollmentVerified does UpdateEnrollment and, only if that
// succeeds, ResetAttempts for e.UserID, atomically. It is the save after a
// successful code, so with ReserveAttemptGetEnrollment a login with an
// authenticator app costs two statements on PostgreSQL and three on
// SQLite. It is one statement on both dialects: a data-modifying WITH
// clause on PostgreSQL, an UPDATE whose trigger deletes the attempts on
// SQLite (see migration 0002).
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
