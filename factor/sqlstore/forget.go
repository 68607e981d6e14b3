package sqlstore

import (
	"context"
	"database/sql"

	"github.com/twostep/twostep/factor"
)

var _ factor.ForgettingStore = (*Store)(nil)

// userTables are the tables whose rows belong to one user, by user_id.
var userTables = []string{
	"twostep_enrollments",
	"twostep_attempts",
	"twostep_challenges",
	"twostep_devices",
	"twostep_recovery_codes",
	"twostep_activation_codes",
	"twostep_user_state",
	"twostep_user_handles",
}

// deleteCounterRange deletes the counters whose keys start with a prefix:
// those from the prefix up to the prefix followed by the largest code
// point, which the primary key's index finds as a range.
const deleteCounterRange = `DELETE FROM twostep_counters WHERE key >= $1 AND key < $2`

// ForgetUser removes every row of the user and the counters whose keys
// start with one of counterPrefixes, in one transaction, and returns how
// many rows it removed.
func (s *Store) ForgetUser(ctx context.Context, userID string, counterPrefixes []string) (int, error) {
	total := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		total = 0
		for _, table := range userTables {
			n, err := execOn(ctx, tx, "DELETE FROM "+table+" WHERE user_id = $1", userID)
			if err != nil {
				return err
			}
			total += int(n)
		}
		for _, p := range counterPrefixes {
			n, err := execOn(ctx, tx, deleteCounterRange, p, p+"\U0010FFFF")
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	return total, wrap("forget user", err)
}
