package factor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// EventForgotten records that Forget erased a user. It carries the user ID
// and the actor, nothing else about the user.
const EventForgotten EventType = "forgotten"

// Forget erases everything twostep stored about the user, for the deletion
// of the user's account: enrollments, failure accounting, challenges,
// trusted devices, recovery codes, the activation code, the user's state,
// the user's handles (HandleStore, such as a passkey's user handle) and
// the send-budget counters of the user and of the user's phone numbers and
// email addresses, the account's address among them when the deployment
// sends there (Config.AccountEmails, Policy.ChangeByEmail). actor, the admin or system deleting the account, is
// recorded in an EventForgotten, which names the user by ID only.
//
// The store must implement ForgettingStore; otherwise Forget changes
// nothing and returns an error wrapping errors.ErrUnsupported. End the
// user's sessions first: an enrollment a concurrent request adds while
// Forget runs is erased, but the send budget of its address is not.
func (m *Manager) Forget(ctx context.Context, userID, actor string, now time.Time) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	if err := checkActor(actor); err != nil {
		return err
	}
	fs, ok := m.cfg.Store.(ForgettingStore)
	if !ok {
		return fmt.Errorf("factor: forget: %w: the store is not a factor.ForgettingStore", errors.ErrUnsupported)
	}
	list, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return fmt.Errorf("factor: forget: %w", err)
	}
	// The account address's resend cooldown needs only the user's ID: it
	// goes even when the host deleted the account before calling Forget.
	prefixes := []string{m.userBudgetKey(userID) + ":", m.resendKey(&Enrollment{ID: AccountEmailID, UserID: userID})}
	addresses := []string{m.accountAddress(ctx, userID)} // the account's, when codes or links go there
	for _, e := range list {
		prefixes = append(prefixes, m.resendKey(e))
		addresses = append(addresses, e.Address)
	}
	for _, a := range addresses {
		if a != "" {
			prefixes = append(prefixes, m.destinationKey(a)+":", m.pendingKey(a)+":")
		}
	}
	sctx, cancel := m.storeContext(ctx)
	n, err := fs.ForgetUser(sctx, userID, prefixes)
	cancel()
	if err != nil {
		return fmt.Errorf("factor: forget: %w", err)
	}
	m.emit(ctx, Event{Type: EventForgotten, UserID: userID, Time: now, Actor: actor, Reason: strconv.Itoa(n) + " records"})
	return nil
}

// accountAddress is the address of the user's account when the deployment
// sends codes or links there; "" when it does not, or the host does not
// know it (Forget then leaves that address's budgets to lapse).
func (m *Manager) accountAddress(ctx context.Context, userID string) string {
	accounts := m.cfg.AccountEmails
	if accounts == nil {
		accounts = m.cfg.Policy.ChangeByEmail.Accounts
	}
	if accounts == nil {
		return ""
	}
	addr, err := accounts.AccountEmail(ctx, userID)
	if err != nil {
		return ""
	}
	return addr
}
