package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/twostep/twostep/factor"
)

const (
	selectUserState = `SELECT prompted_at, activated_at, version
FROM twostep_user_state WHERE user_id = $1`

	insertUserState = `INSERT INTO twostep_user_state (user_id, prompted_at, activated_at, version)
VALUES ($1, $2, $3, 1)
ON CONFLICT DO NOTHING`

	updateUserState = `UPDATE twostep_user_state SET prompted_at = $2, activated_at = $3,
	version = version + 1
WHERE user_id = $1 AND version = $4`

	deleteUserState = `DELETE FROM twostep_user_state WHERE user_id = $1`
)

// GetUserState returns the user's state. A user the store has never seen
// gets a zero UserState with UserID set and Version 0.
func (s *Store) GetUserState(ctx context.Context, userID string) (*factor.UserState, error) {
	st := &factor.UserState{UserID: userID}
	err := s.row(ctx, selectUserState, userID).Scan(tc(&st.PromptedAt),
		tc(&st.ActivatedAt), &st.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return &factor.UserState{UserID: userID}, nil
	}
	if err != nil {
		return nil, wrap("get user state", err)
	}
	return st, nil
}

// SaveUserState stores st if the stored version equals st.Version, and then
// increments st.Version. Version 0 means no stored state yet and inserts;
// any other Version updates. Either way a mismatch is factor.ErrConflict.
func (s *Store) SaveUserState(ctx context.Context, st *factor.UserState) error {
	args := []any{st.UserID, s.t(st.PromptedAt), s.t(st.ActivatedAt)}
	var n int64
	var err error
	if st.Version == 0 {
		n, err = s.exec(ctx, insertUserState, args...)
	} else {
		n, err = s.exec(ctx, updateUserState, append(args, st.Version)...)
	}
	if err == nil && n == 0 {
		err = factor.ErrConflict
	}
	if err != nil {
		return wrap("save user state", err)
	}
	st.Version++
	return nil
}

// DeleteUserState removes the user's state, so that GetUserState returns a
// zero state again. Enrollments, attempts, challenges and the rest have their
// own delete methods. Deleting a state that does not exist is not an error.
func (s *Store) DeleteUserState(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, deleteUserState, userID)
	return wrap("delete user state", err)
}
