package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/twostep/twostep/factor"
)

const challengeCols = `id, user_id, enrollment_id, kind, code_hash, keypad, tries, sends,
	sent_at, expires_at, approved_at, used_at, delivery, version`

const (
	insertChallenge = `INSERT INTO twostep_challenges (` + challengeCols + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)
ON CONFLICT DO NOTHING`

	selectChallenge = `SELECT ` + challengeCols + ` FROM twostep_challenges WHERE id = $1`

	updateChallenge = `UPDATE twostep_challenges SET enrollment_id = $3, kind = $4,
	code_hash = $5, keypad = $6, tries = $7, sends = $8, sent_at = $9,
	expires_at = $10, approved_at = $11, used_at = $12, delivery = $13,
	version = version + 1
WHERE id = $1 AND user_id = $2 AND version = $14`

	challengeExists = `SELECT 1 FROM twostep_challenges WHERE id = $1 AND user_id = $2`

	deleteChallenges = `DELETE FROM twostep_challenges WHERE user_id = $1`
)

// challengeArgs returns c's columns in the order of challengeCols, less the
// version.
func (s *Store) challengeArgs(c *factor.Challenge) []any {
	return []any{
		c.ID, c.UserID, c.EnrollmentID, string(c.Kind), c.CodeHash, c.Keypad,
		c.Tries, c.Sends, s.t(c.SentAt), s.t(c.ExpiresAt), s.t(c.ApprovedAt),
		s.t(c.UsedAt), string(c.Delivery),
	}
}

func scanChallenge(r rowScanner) (*factor.Challenge, error) {
	var c factor.Challenge
	err := r.Scan(&c.ID, &c.UserID, &c.EnrollmentID, &c.Kind, &c.CodeHash,
		&c.Keypad, &c.Tries, &c.Sends, tc(&c.SentAt), tc(&c.ExpiresAt),
		tc(&c.ApprovedAt), tc(&c.UsedAt), &c.Delivery, &c.Version)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateChallenge stores a new challenge and sets c.Version to 1. An
// existing ID is factor.ErrConflict.
func (s *Store) CreateChallenge(ctx context.Context, c *factor.Challenge) error {
	if err := created(s.exec(ctx, insertChallenge, s.challengeArgs(c)...)); err != nil {
		return wrap("create challenge", err)
	}
	c.Version = 1
	return nil
}

// GetChallenge returns the challenge with the given ID or
// factor.ErrNotFound.
func (s *Store) GetChallenge(ctx context.Context, id string) (*factor.Challenge, error) {
	c, err := scanChallenge(s.row(ctx, selectChallenge, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = factor.ErrNotFound
	}
	return c, wrap("get challenge", err)
}

// UpdateChallenge replaces the stored challenge if its version equals
// c.Version, and then increments c.Version. The challenge is found by ID and
// UserID together, so it cannot change hands. A stale Version is
// factor.ErrConflict and a missing challenge factor.ErrNotFound.
func (s *Store) UpdateChallenge(ctx context.Context, c *factor.Challenge) error {
	args := append(s.challengeArgs(c), c.Version)
	n, err := s.exec(ctx, updateChallenge, args...)
	if err == nil && n == 0 {
		err = s.missed(ctx, challengeExists, c.ID, c.UserID)
	}
	if err != nil {
		return wrap("update challenge", err)
	}
	c.Version++
	return nil
}

// DeleteChallenges removes the user's challenges.
func (s *Store) DeleteChallenges(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, deleteChallenges, userID)
	return wrap("delete challenges", err)
}
