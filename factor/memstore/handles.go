package memstore

import (
	"context"

	"github.com/twostep/twostep/factor"
)

var _ factor.HandleStore = (*Store)(nil)

// PutHandle records that handle names the user.
func (s *Store) PutHandle(_ context.Context, userID string, handle []byte) error {
	s.lock()
	defer s.unlock()
	if s.handles == nil {
		s.handles = make(map[string]string)
	}
	if owner, ok := s.handles[string(handle)]; ok && owner != userID {
		return factor.ErrConflict
	}
	s.handles[string(handle)] = userID
	return nil
}

// UserByHandle returns the user handle names, or factor.ErrNotFound.
func (s *Store) UserByHandle(_ context.Context, handle []byte) (string, error) {
	s.lock()
	defer s.unlock()
	owner, ok := s.handles[string(handle)]
	if !ok {
		return "", factor.ErrNotFound
	}
	return owner, nil
}

// DeleteHandles removes all of the user's handles.
func (s *Store) DeleteHandles(_ context.Context, userID string) (int, error) {
	s.lock()
	defer s.unlock()
	n := 0
	for h, owner := range s.handles {
		if owner == userID {
			delete(s.handles, h)
			n++
		}
	}
	return n, nil
}
