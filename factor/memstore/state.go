package memstore

import (
	"context"

	"github.com/twostep/twostep/factor"
)

// GetUserState returns a copy of the user's state. A user without stored
// state gets a zero UserState with the UserID filled in and Version 0.
func (s *Store) GetUserState(_ context.Context, userID string) (*factor.UserState, error) {
	s.lock()
	defer s.unlock()
	if u := s.user(userID, false); u != nil && u.state.Version != 0 {
		st := u.state
		return &st, nil
	}
	return &factor.UserState{UserID: userID}, nil
}

// SaveUserState stores a copy of st if the stored Version equals st.Version,
// zero meaning no stored state, and then increments st.Version. Otherwise it
// returns factor.ErrConflict.
func (s *Store) SaveUserState(_ context.Context, st *factor.UserState) error {
	s.lock()
	defer s.unlock()
	var version int64
	if u := s.user(st.UserID, false); u != nil {
		version = u.state.Version
	}
	if version != st.Version {
		return factor.ErrConflict
	}
	next := *st
	next.Version++
	s.user(st.UserID, true).state = next
	st.Version = next.Version
	return nil
}

// DeleteUserState forgets the user's state, so that GetUserState returns a
// zero state again. Forgetting a state never stored is not an error.
func (s *Store) DeleteUserState(_ context.Context, userID string) error {
	s.lock()
	defer s.unlock()
	if u := s.user(userID, false); u != nil {
		u.state = factor.UserState{}
		s.forget(userID, u)
	}
	return nil
}
