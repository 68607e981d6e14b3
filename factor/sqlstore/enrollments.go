package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/twostep/twostep/factor"
)

const enrollmentCols = `id, user_id, kind, label, address, is_primary, confirmed, replaces,
	secret, counter, state, created_at, expires_at, confirmed_at, last_used_at, version`

const (
	insertEnrollment = `INSERT INTO twostep_enrollments (` + enrollmentCols + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1)
ON CONFLICT DO NOTHING`

	selectEnrollment = `SELECT ` + enrollmentCols + ` FROM twostep_enrollments
WHERE id = $1 AND user_id = $2`

	listEnrollments = `SELECT ` + enrollmentCols + ` FROM twostep_enrollments
WHERE user_id = $1 ORDER BY created_at NULLS FIRST, id`

	updateEnrollment = `UPDATE twostep_enrollments SET kind = $3, label = $4, address = $5,
	is_primary = $6, confirmed = $7, replaces = $8, secret = $9, counter = $10,
	state = $11, created_at = $12, expires_at = $13, confirmed_at = $14,
	last_used_at = $15, version = version + 1
WHERE id = $1 AND user_id = $2 AND version = $16`

	enrollmentExists = `SELECT 1 FROM twostep_enrollments WHERE id = $1 AND user_id = $2`

	deleteEnrollment = `DELETE FROM twostep_enrollments WHERE id = $1 AND user_id = $2`

	deleteEnrollments = `DELETE FROM twostep_enrollments WHERE user_id = $1`
)

// enrollmentArgs returns e's columns in the order of enrollmentCols, less
// the version.
func (s *Store) enrollmentArgs(e *factor.Enrollment) []any {
	return []any{
		e.ID, e.UserID, string(e.Kind), e.Label, e.Address, e.Primary, e.Confirmed,
		e.Replaces, e.Secret, e.Counter, e.State, s.t(e.CreatedAt), s.t(e.ExpiresAt),
		s.t(e.ConfirmedAt), s.t(e.LastUsedAt),
	}
}

func scanEnrollment(r rowScanner) (*factor.Enrollment, error) {
	var e factor.Enrollment
	err := r.Scan(&e.ID, &e.UserID, &e.Kind, &e.Label, &e.Address, &e.Primary,
		&e.Confirmed, &e.Replaces, &e.Secret, &e.Counter, &e.State, tc(&e.CreatedAt),
		tc(&e.ExpiresAt), tc(&e.ConfirmedAt), tc(&e.LastUsedAt), &e.Version)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// CreateEnrollment stores a new enrollment and sets e.Version to 1. An
// existing ID, of any user, is factor.ErrConflict.
func (s *Store) CreateEnrollment(ctx context.Context, e *factor.Enrollment) error {
	if err := created(s.exec(ctx, insertEnrollment, s.enrollmentArgs(e)...)); err != nil {
		return wrap("create enrollment", err)
	}
	e.Version = 1
	return nil
}

// GetEnrollment returns the user's enrollment with the given ID. An unknown
// ID, or one of another user, is factor.ErrNotFound.
func (s *Store) GetEnrollment(ctx context.Context, userID, id string) (*factor.Enrollment, error) {
	e, err := scanEnrollment(s.row(ctx, selectEnrollment, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		err = factor.ErrNotFound
	}
	return e, wrap("get enrollment", err)
}

// ListEnrollments returns the user's enrollments ordered by CreatedAt, then
// ID; none is an empty slice.
func (s *Store) ListEnrollments(ctx context.Context, userID string) ([]*factor.Enrollment, error) {
	rows, err := s.query(ctx, listEnrollments, userID)
	if err != nil {
		return nil, wrap("list enrollments", err)
	}
	defer rows.Close()
	list := []*factor.Enrollment{}
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, wrap("list enrollments", err)
		}
		list = append(list, e)
	}
	return list, wrap("list enrollments", rows.Err())
}

// UpdateEnrollment replaces the stored enrollment if its version equals
// e.Version, and then increments e.Version. The enrollment is found by ID
// and UserID together. A stale Version is factor.ErrConflict and a missing
// enrollment factor.ErrNotFound.
func (s *Store) UpdateEnrollment(ctx context.Context, e *factor.Enrollment) error {
	args := append(s.enrollmentArgs(e), e.Version)
	n, err := s.exec(ctx, updateEnrollment, args...)
	if err == nil && n == 0 {
		err = s.missed(ctx, enrollmentExists, e.ID, e.UserID)
	}
	if err != nil {
		return wrap("update enrollment", err)
	}
	e.Version++
	return nil
}

// DeleteEnrollment removes one of the user's enrollments. An unknown ID, or
// one of another user, is factor.ErrNotFound.
func (s *Store) DeleteEnrollment(ctx context.Context, userID, id string) error {
	return wrap("delete enrollment", one(s.exec(ctx, deleteEnrollment, id, userID)))
}

// DeleteEnrollments removes all of the user's enrollments and returns how
// many there were.
func (s *Store) DeleteEnrollments(ctx context.Context, userID string) (int, error) {
	n, err := s.exec(ctx, deleteEnrollments, userID)
	return int(n), wrap("delete enrollments", err)
}
