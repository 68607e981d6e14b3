package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/twostep/twostep/factor"
)

const deviceCols = `id, user_id, label, validator_hash, created_at, last_used_at, expires_at`

const (
	insertDevice = `INSERT INTO twostep_devices (` + deviceCols + `)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT DO NOTHING`

	selectDevice = `SELECT ` + deviceCols + ` FROM twostep_devices WHERE id = $1`

	listDevices = `SELECT ` + deviceCols + ` FROM twostep_devices
WHERE user_id = $1 ORDER BY created_at NULLS FIRST, id`

	touchDevice = `UPDATE twostep_devices SET last_used_at = $2 WHERE id = $1`

	deleteDevice = `DELETE FROM twostep_devices WHERE id = $1 AND user_id = $2`

	deleteDevices = `DELETE FROM twostep_devices WHERE user_id = $1`
)

func scanDevice(r rowScanner) (*factor.TrustedDevice, error) {
	var d factor.TrustedDevice
	err := r.Scan(&d.ID, &d.UserID, &d.Label, &d.ValidatorHash,
		tc(&d.CreatedAt), tc(&d.LastUsedAt), tc(&d.ExpiresAt))
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// CreateDevice stores a new trusted device. An existing ID is
// factor.ErrConflict.
func (s *Store) CreateDevice(ctx context.Context, d *factor.TrustedDevice) error {
	err := created(s.exec(ctx, insertDevice, d.ID, d.UserID, d.Label, d.ValidatorHash,
		s.t(d.CreatedAt), s.t(d.LastUsedAt), s.t(d.ExpiresAt)))
	return wrap("create device", err)
}

// GetDevice returns the device with the given selector or
// factor.ErrNotFound.
func (s *Store) GetDevice(ctx context.Context, id string) (*factor.TrustedDevice, error) {
	d, err := scanDevice(s.row(ctx, selectDevice, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = factor.ErrNotFound
	}
	return d, wrap("get device", err)
}

// TouchDevice records a use of the device. An unknown device is
// factor.ErrNotFound.
func (s *Store) TouchDevice(ctx context.Context, id string, lastUsed time.Time) error {
	return wrap("touch device", one(s.exec(ctx, touchDevice, id, s.t(lastUsed))))
}

// ListDevices returns the user's devices ordered by CreatedAt, then ID;
// none is an empty slice.
func (s *Store) ListDevices(ctx context.Context, userID string) ([]*factor.TrustedDevice, error) {
	rows, err := s.query(ctx, listDevices, userID)
	if err != nil {
		return nil, wrap("list devices", err)
	}
	defer rows.Close()
	list := []*factor.TrustedDevice{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, wrap("list devices", err)
		}
		list = append(list, d)
	}
	return list, wrap("list devices", rows.Err())
}

// DeleteDevice removes one of the user's devices. An unknown device, or one
// of another user, is factor.ErrNotFound.
func (s *Store) DeleteDevice(ctx context.Context, userID, id string) error {
	return wrap("delete device", one(s.exec(ctx, deleteDevice, id, userID)))
}

// DeleteDevices removes all of the user's devices and returns how many there
// were.
func (s *Store) DeleteDevices(ctx context.Context, userID string) (int, error) {
	n, err := s.exec(ctx, deleteDevices, userID)
	return int(n), wrap("delete devices", err)
}
