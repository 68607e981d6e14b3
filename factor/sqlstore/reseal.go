package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/twostep/twostep/factor"
)

// resealPage is how many user IDs ResealAll reads at a time.
const resealPage = 500

// maxSealedErrors bounds the errors ResealAll keeps of secrets that do not
// open; it counts the rest.
const maxSealedErrors = 10

// sealedUsers pages through the users who have an enrollment with a
// secret, in user ID order, by keyset: $1 is the last user ID of the page
// before.
const sealedUsers = `SELECT DISTINCT user_id FROM twostep_enrollments
WHERE secret IS NOT NULL AND user_id > $1
ORDER BY user_id LIMIT $2`

// ResealAll re-seals under the current key every enrollment secret in the
// database that an older key sealed. It finds each user with an enrollment
// that has a secret and calls m.Reseal for that user, and returns how many
// enrollments were re-sealed in all. m must use this Store's database and
// hold the new key first and the old keys after it in factor.Config.Keys.
//
// A key rotation goes:
//
//  1. put the new key in front of Config.Keys on every instance of the
//     application, so that all of them seal under it and still open what
//     the old keys sealed;
//  2. run ResealAll, from one instance or a maintenance job, until it
//     returns 0 and no error: an enrollment that changes while it runs is
//     skipped and left for the next run;
//  3. remove the old key from Config.Keys.
//
// Keyed hashes of codes and tokens are not re-sealed: they cannot be, as
// the codes themselves are not stored. They keep working while the old key
// is configured and lapse with the codes (activation codes after their
// TTL, devices at their expiry); recovery codes hashed under the old key
// stop working once it is removed, so ask users to generate new ones, or
// keep the old key until they have.
//
// ResealAll reads the user IDs a page at a time and holds no transaction
// or open result set while it re-seals, so it is safe on a live database,
// also on SQLite with a single connection. A secret that does not open
// (factor.ErrSealed: tampered with, moved, or sealed under a key m does not
// hold) does not stop it: it re-seals everyone else and then returns an
// error wrapping factor.ErrSealed for those users. Any other error stops it
// at once. Either way the count is what was done before.
func (s *Store) ResealAll(ctx context.Context, m *factor.Manager) (int, error) {
	return s.resealAll(ctx, m, resealPage)
}

func (s *Store) resealAll(ctx context.Context, m *factor.Manager, page int) (int, error) {
	if m == nil {
		return 0, errors.New("sqlstore: reseal all: nil Manager")
	}
	total, failed := 0, 0
	var sealed []error
	after := ""
	for {
		users, err := s.sealedUsers(ctx, after, page)
		if err != nil {
			return total, wrap("reseal all", err)
		}
		for _, u := range users {
			n, err := m.Reseal(ctx, u)
			total += n
			switch {
			case errors.Is(err, factor.ErrSealed):
				if failed++; len(sealed) < maxSealedErrors {
					sealed = append(sealed, fmt.Errorf("user %q: %w", u, err))
				}
			case err != nil:
				return total, fmt.Errorf("sqlstore: reseal all: user %q: %w", u, err)
			}
		}
		if len(users) < page {
			break
		}
		after = users[len(users)-1]
	}
	if failed > 0 {
		return total, fmt.Errorf("sqlstore: reseal all: secrets of %d users do not open: %w", failed, errors.Join(sealed...))
	}
	return total, nil
}

// sealedUsers returns up to page user IDs after the given one who have an
// enrollment with a secret. It reads them all before returning, so that no
// result set stays open while the caller works.
func (s *Store) sealedUsers(ctx context.Context, after string, page int) ([]string, error) {
	rows, err := s.query(ctx, sealedUsers, after, page)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	users := make([]string, 0, page)
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}
