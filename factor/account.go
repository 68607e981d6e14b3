package factor

import (
	"context"
	"errors"
	"fmt"
)

// AccountEmails looks up the email address of a user's account, which the
// host keeps. With Config.AccountEmails set, the account's address is the
// implicit method of a user who has set up nothing else: Status offers it,
// Challenge sends codes there and Verify accepts them, with no enrolment
// step, until the user confirms another method.
type AccountEmails interface {
	// AccountEmail returns the address of the user's account. An empty
	// address, or an error wrapping ErrNotFound, means the user has none:
	// nothing is offered then.
	AccountEmail(ctx context.Context, userID string) (string, error)
}

// AccountEmailID is the enrollment ID under which Status offers the
// account's email address (see AccountEmails). A host passes it to
// Challenge like any other offered enrollment's ID; it is never stored.
const AccountEmailID = "account-email"

// accountEmail returns the user's account address as the enrollment it
// stands for while it is the user's implicit method: only with
// Config.AccountEmails set, an email factor configured and offered, and no
// confirmed enrollment among all. Otherwise it returns nil.
func (m *Manager) accountEmail(ctx context.Context, userID string, all []*Enrollment) (*Enrollment, error) {
	f := m.factors[KindEmail]
	if m.cfg.AccountEmails == nil || f == nil || !m.cfg.Policy.allows(KindEmail) || countConfirmed(all) > 0 {
		return nil, nil
	}
	addr, err := m.cfg.AccountEmails.AccountEmail(ctx, userID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("factor: account email: %w", err)
	}
	if addr == "" {
		return nil, nil
	}
	e := &Enrollment{ID: AccountEmailID, UserID: userID, Kind: KindEmail, Address: addr, Confirmed: true, Primary: true}
	if p, ok := f.(Preparer); ok {
		if err := p.Prepare(e); err != nil {
			return nil, fmt.Errorf("factor: account email: %w", err)
		}
	}
	return e, nil
}

// enrollment loads one of the user's enrollments for a code to be sent or
// checked: a stored one, or the account's address standing in as the
// user's implicit method (see AccountEmails).
func (m *Manager) enrollment(ctx context.Context, userID, enrollmentID string) (*Enrollment, error) {
	if enrollmentID != AccountEmailID || m.cfg.AccountEmails == nil {
		return m.store.GetEnrollment(ctx, userID, enrollmentID)
	}
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return nil, err
	}
	e, err := m.accountEmail(ctx, userID, all)
	if err == nil && e == nil {
		err = ErrNotFound
	}
	return e, err
}
