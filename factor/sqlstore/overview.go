package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/twostep/twostep/factor"
)

var _ factor.OverviewStore = (*Store)(nil)

// idList selects the user IDs of a JSON array passed as $1: one parameter
// for any number of IDs, so that the statement text, and its plan, is the
// same for every page.
var idList = map[Dialect]string{
	SQLite:   `SELECT value FROM json_each($1)`,
	Postgres: `SELECT jsonb_array_elements_text($1::jsonb)`,
}

// idsJSON encodes user IDs as a JSON array; no IDs is an empty array.
func idsJSON(userIDs []string) (string, error) {
	if userIDs == nil {
		userIDs = []string{}
	}
	b, err := json.Marshal(userIDs)
	return string(b), err
}

// summaryCols are the enrollment columns an overview shows: all but the
// secret and factor state.
const summaryCols = `id, user_id, kind, label, address, is_primary, confirmed, replaces,
	counter, created_at, expires_at, confirmed_at, last_used_at, version`

// ListUsersEnrollments returns the given users' enrollments without secret
// or factor state, ordered by user ID, then CreatedAt, then ID, in one
// statement.
func (s *Store) ListUsersEnrollments(ctx context.Context, userIDs []string) ([]*factor.Enrollment, error) {
	ids, err := idsJSON(userIDs)
	if err != nil {
		return nil, wrap("list users' enrollments", err)
	}
	q := `SELECT ` + summaryCols + ` FROM twostep_enrollments WHERE user_id IN (` + idList[s.d] + `)
ORDER BY user_id, created_at NULLS FIRST, id`
	rows, err := s.query(ctx, q, ids)
	if err != nil {
		return nil, wrap("list users' enrollments", err)
	}
	defer rows.Close()
	list := []*factor.Enrollment{}
	for rows.Next() {
		var e factor.Enrollment
		err := rows.Scan(&e.ID, &e.UserID, &e.Kind, &e.Label, &e.Address, &e.Primary,
			&e.Confirmed, &e.Replaces, &e.Counter, tc(&e.CreatedAt), tc(&e.ExpiresAt),
			tc(&e.ConfirmedAt), tc(&e.LastUsedAt), &e.Version)
		if err != nil {
			return nil, wrap("list users' enrollments", err)
		}
		list = append(list, &e)
	}
	return list, wrap("list users' enrollments", rows.Err())
}

// LockStates returns the failure accounting of those of the given users
// that have a twostep_attempts row, in one statement.
func (s *Store) LockStates(ctx context.Context, userIDs []string) (map[string]factor.LockState, error) {
	ids, err := idsJSON(userIDs)
	if err != nil {
		return nil, wrap("lock states", err)
	}
	q := `SELECT user_id, failures, locks, locked_until FROM twostep_attempts WHERE user_id IN (` + idList[s.d] + `)`
	rows, err := s.query(ctx, q, ids)
	if err != nil {
		return nil, wrap("lock states", err)
	}
	defer rows.Close()
	out := make(map[string]factor.LockState)
	for rows.Next() {
		var id string
		var a factor.LockState
		if err := rows.Scan(&id, &a.Failures, &a.Locks, tc(&a.LockedUntil)); err != nil {
			return nil, wrap("lock states", err)
		}
		out[id] = a
	}
	return out, wrap("lock states", rows.Err())
}
