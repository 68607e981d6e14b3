package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
)

// CreateDevice stores a copy of d. An ID already in use is
// factor.ErrConflict.
func (s *Store) CreateDevice(_ context.Context, d *factor.TrustedDevice) error {
	s.lock()
	defer s.unlock()
	s.sweepIfGrown(d.CreatedAt)
	if _, ok := s.devices[d.ID]; ok {
		return factor.ErrConflict
	}
	c := cloneDevice(d)
	s.devices[c.ID] = c
	u := s.user(c.UserID, true)
	u.devices = append(u.devices, c)
	return nil
}

// GetDevice returns a copy of the device with the given ID, or
// factor.ErrNotFound.
func (s *Store) GetDevice(_ context.Context, id string) (*factor.TrustedDevice, error) {
	s.lock()
	defer s.unlock()
	d := s.devices[id]
	if d == nil {
		return nil, factor.ErrNotFound
	}
	return cloneDevice(d), nil
}

// TouchDevice sets the device's LastUsedAt. A missing device is
// factor.ErrNotFound.
func (s *Store) TouchDevice(_ context.Context, id string, lastUsed time.Time) error {
	s.lock()
	defer s.unlock()
	d := s.devices[id]
	if d == nil {
		return factor.ErrNotFound
	}
	d.LastUsedAt = lastUsed
	return nil
}

// ListDevices returns copies of the user's devices ordered by CreatedAt,
// then ID.
func (s *Store) ListDevices(_ context.Context, userID string) ([]*factor.TrustedDevice, error) {
	s.lock()
	defer s.unlock()
	var stored []*factor.TrustedDevice
	if u := s.user(userID, false); u != nil {
		stored = u.devices
	}
	out := make([]*factor.TrustedDevice, len(stored))
	for i, d := range stored {
		out[i] = cloneDevice(d)
	}
	slices.SortFunc(out, func(a, b *factor.TrustedDevice) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// DeleteDevice removes one of the user's devices. A device that is missing
// or belongs to another user is factor.ErrNotFound.
func (s *Store) DeleteDevice(_ context.Context, userID, id string) error {
	s.lock()
	defer s.unlock()
	d := s.devices[id]
	if d == nil || d.UserID != userID {
		return factor.ErrNotFound
	}
	delete(s.devices, id)
	u := s.user(userID, false)
	u.devices = slices.DeleteFunc(u.devices, func(x *factor.TrustedDevice) bool { return x == d })
	s.forget(userID, u)
	return nil
}

// DeleteDevices removes all of the user's devices and returns how many there
// were.
func (s *Store) DeleteDevices(_ context.Context, userID string) (int, error) {
	s.lock()
	defer s.unlock()
	u := s.user(userID, false)
	if u == nil {
		return 0, nil
	}
	n := len(u.devices)
	for _, d := range u.devices {
		delete(s.devices, d.ID)
	}
	u.devices = nil
	s.forget(userID, u)
	return n, nil
}

func cloneDevice(d *factor.TrustedDevice) *factor.TrustedDevice {
	c := *d
	c.ValidatorHash = slices.Clone(d.ValidatorHash)
	return &c
}
