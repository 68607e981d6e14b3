package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/twostep/twostep/factor"
)

var _ factor.HandleStore = (*Store)(nil)

const (
	// putHandle inserts the handle, or changes nothing when it exists.
	putHandle = `INSERT INTO twostep_user_handles (handle, user_id) VALUES ($1, $2)
ON CONFLICT (handle) DO NOTHING`
	selectHandleUser = `SELECT user_id FROM twostep_user_handles WHERE handle = $1`
	deleteHandles    = `DELETE FROM twostep_user_handles WHERE user_id = $1`
)

// PutHandle records that handle names the user, in one INSERT that leaves
// an existing handle alone. When the handle existed already, the user it
// names decides: the same user is no error, another is factor.ErrConflict.
func (s *Store) PutHandle(ctx context.Context, userID string, handle []byte) error {
	n, err := s.exec(ctx, putHandle, handle, userID)
	if err != nil || n == 1 {
		return wrap("put handle", err)
	}
	owner, err := s.UserByHandle(ctx, handle)
	if err != nil {
		return err
	}
	if owner != userID {
		return wrap("put handle", factor.ErrConflict)
	}
	return nil
}

// UserByHandle returns the user handle names, or factor.ErrNotFound.
func (s *Store) UserByHandle(ctx context.Context, handle []byte) (string, error) {
	var userID string
	err := s.db.QueryRowContext(ctx, selectHandleUser, handle).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", wrap("user by handle", factor.ErrNotFound)
	}
	if err != nil {
		return "", wrap("user by handle", err)
	}
	return userID, nil
}

// DeleteHandles removes all of the user's handles and returns how many
// there were.
func (s *Store) DeleteHandles(ctx context.Context, userID string) (int, error) {
	n, err := s.exec(ctx, deleteHandles, userID)
	return int(n), wrap("delete handles", err)
}
