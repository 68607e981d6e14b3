package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/twostep/twostep/factor"
)

const (
	putActivationCode = `INSERT INTO twostep_activation_codes
	(user_id, hash, issued_by, created_at, expires_at, used_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash,
	issued_by = excluded.issued_by, created_at = excluded.created_at,
	expires_at = excluded.expires_at, used_at = excluded.used_at`

	selectActivationCode = `SELECT user_id, hash, issued_by, created_at, expires_at, used_at
FROM twostep_activation_codes WHERE user_id = $1`

	useActivationCode = `UPDATE twostep_activation_codes SET used_at = $3
WHERE user_id = $1 AND hash = $2 AND used_at IS NULL`

	activationCodeExists = `SELECT 1 FROM twostep_activation_codes WHERE user_id = $1`
)

// PutActivationCode stores the user's activation code, replacing any
// earlier one, in one upsert.
func (s *Store) PutActivationCode(ctx context.Context, a *factor.ActivationCode) error {
	_, err := s.exec(ctx, putActivationCode, a.UserID, a.Hash, a.IssuedBy,
		s.t(a.CreatedAt), s.t(a.ExpiresAt), s.t(a.UsedAt))
	return wrap("put activation code", err)
}

// GetActivationCode returns the user's activation code or
// factor.ErrNotFound.
func (s *Store) GetActivationCode(ctx context.Context, userID string) (*factor.ActivationCode, error) {
	var a factor.ActivationCode
	err := s.row(ctx, selectActivationCode, userID).Scan(&a.UserID,
		&a.Hash, &a.IssuedBy, tc(&a.CreatedAt), tc(&a.ExpiresAt), tc(&a.UsedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wrap("get activation code", factor.ErrNotFound)
	}
	if err != nil {
		return nil, wrap("get activation code", err)
	}
	return &a, nil
}

// UseActivationCode marks the user's code used at now if its hash equals
// hash and it is unused, in one UPDATE whose affected-row count decides the
// only winner among concurrent callers. A wrong or used code is
// factor.ErrConflict; no code is factor.ErrNotFound. now must not be the
// zero time, which would leave the code unused.
func (s *Store) UseActivationCode(ctx context.Context, userID string, hash []byte, now time.Time) error {
	if now.IsZero() {
		return errors.New("sqlstore: use activation code: zero time")
	}
	n, err := s.exec(ctx, useActivationCode, userID, hash, s.t(now))
	if err == nil && n == 0 {
		err = s.missed(ctx, activationCodeExists, userID)
	}
	return wrap("use activation code", err)
}
