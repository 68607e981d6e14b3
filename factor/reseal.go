package factor

import (
	"context"
	"errors"
	"fmt"
)

// Reseal seals again, under the current key, every secret of the user's
// enrollments that an older key sealed. Run it for every user after adding
// a new key in front of Config.Keys; once it has run everywhere the old key
// can go. It returns how many enrollments were re-sealed. A concurrent
// change to an enrollment makes Reseal skip it; run it again.
func (m *Manager) Reseal(ctx context.Context, userID string) (int, error) {
	if err := checkUserID(userID); err != nil {
		return 0, err
	}
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("factor: reseal: %w", err)
	}
	n := 0
	for _, e := range all {
		if e.Secret == nil || m.sealer.Current(e.Secret) {
			continue
		}
		plain, err := m.openSecret(e)
		if err != nil {
			return n, err
		}
		if e.Secret, err = m.sealSecret(&Enrollment{UserID: e.UserID, ID: e.ID, Secret: plain}); err != nil {
			return n, err
		}
		switch err := m.store.UpdateEnrollment(ctx, e); {
		case errors.Is(err, ErrConflict), errors.Is(err, ErrNotFound):
			continue
		case err != nil:
			return n, fmt.Errorf("factor: reseal: %w", err)
		}
		n++
	}
	return n, nil
}
