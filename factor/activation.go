package factor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/internal/crockford"
)

// Activation code errors, matching what a service desk tells people. They
// are distinct so a page can say what to do next.
var (
	// ErrNoActivationCode means no activation code was issued for the user.
	ErrNoActivationCode = errors.New("factor: no activation code issued")
	// ErrActivationExpired means the user's activation code lapsed.
	ErrActivationExpired = errors.New("factor: activation code expired")
	// ErrActivationUsed means the user's activation code was already used.
	ErrActivationUsed = errors.New("factor: activation code already used")
	// ErrActivationRequired means the policy wants an activation code
	// before the user may enrol.
	ErrActivationRequired = errors.New("factor: activation code required")
)

// activationLen is the number of Crockford symbols in an activation code:
// 12 symbols are 60 bits.
const activationLen = 12

// IssueActivationCode creates a one-time activation code for the user,
// replacing any earlier one, and returns it for showing once, formatted as
// three groups of four. Only its keyed hash is stored. It is valid for
// Policy.ActivationTTL. actor is the admin or system issuing it.
func (m *Manager) IssueActivationCode(ctx context.Context, userID, actor string, now time.Time) (string, error) {
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	if err := checkActor(actor); err != nil {
		return "", err
	}
	code, err := crockford.Generate(m.rand, activationLen)
	if err != nil {
		return "", err
	}
	a := &ActivationCode{
		UserID: userID, Hash: m.sealer.MAC("activation", userID, []byte(code)), IssuedBy: actor,
		CreatedAt: now, ExpiresAt: now.Add(m.cfg.Policy.ActivationTTL),
	}
	if err := m.store.PutActivationCode(ctx, a); err != nil {
		return "", fmt.Errorf("factor: store activation code: %w", err)
	}
	m.emit(ctx, Event{Type: EventActivationIssued, UserID: userID, Time: now, Actor: actor})
	return crockford.Group(code, 4, '-'), nil
}

// Activate checks the user's activation code and uses it up. Wrong codes
// count against the user's failure budget like any other code. A missing,
// expired or used code is ErrNoActivationCode, ErrActivationExpired or
// ErrActivationUsed, and counts too.
func (m *Manager) Activate(ctx context.Context, userID, code string, now time.Time) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	if len(code) > maxCodeLen {
		return &InputError{Field: "activation code", Reason: "too long"}
	}
	norm, ok := crockford.Normalize(code)
	if !ok || len(norm) != activationLen {
		return &InputError{Field: "activation code", Reason: "must be 12 letters and digits"}
	}
	err := m.guard(ctx, &attempt{Answer: Answer{UserID: userID}, now: now}, func() error { return m.useActivation(ctx, userID, norm, now) })
	if err != nil {
		return err
	}
	if err := m.setActivated(ctx, userID, now); err != nil {
		return err
	}
	m.emit(ctx, Event{Type: EventActivationUsed, UserID: userID, Time: now, Actor: userID})
	return nil
}

func (m *Manager) useActivation(ctx context.Context, userID, code string, now time.Time) error {
	a, err := m.store.GetActivationCode(ctx, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%w (%w)", ErrInvalidCode, ErrNoActivationCode)
	case err != nil:
		return fmt.Errorf("factor: activation code: %w", err)
	case !a.UsedAt.IsZero():
		return fmt.Errorf("%w (%w)", ErrInvalidCode, ErrActivationUsed)
	case !now.Before(a.ExpiresAt):
		return fmt.Errorf("%w (%w)", ErrInvalidCode, ErrActivationExpired)
	}
	for _, h := range m.sealer.MACs("activation", userID, []byte(code)) {
		err = m.store.UseActivationCode(ctx, userID, h, now)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("factor: use activation code: %w", err)
		}
	}
	// A concurrent attempt may have used the code since it was read: say
	// so, as a sequential second attempt would hear.
	a, err = m.store.GetActivationCode(ctx, userID)
	switch {
	case err != nil && !errors.Is(err, ErrNotFound):
		return fmt.Errorf("factor: activation code: %w", err)
	case err == nil && !a.UsedAt.IsZero():
		return fmt.Errorf("%w (%w)", ErrInvalidCode, ErrActivationUsed)
	}
	return ErrInvalidCode
}

// setActivated records the activation in the user's state.
func (m *Manager) setActivated(ctx context.Context, userID string, now time.Time) error {
	return m.updateUserState(ctx, userID, func(us *UserState) { us.ActivatedAt = now })
}

// updateUserState applies change with compare-and-swap, retrying when a
// concurrent update wins.
func (m *Manager) updateUserState(ctx context.Context, userID string, change func(*UserState)) error {
	for range maxCASRetries {
		us, err := m.store.GetUserState(ctx, userID)
		if err != nil {
			return fmt.Errorf("factor: user state: %w", err)
		}
		change(us)
		err = m.store.SaveUserState(ctx, us)
		if !errors.Is(err, ErrConflict) {
			if err != nil {
				return fmt.Errorf("factor: save user state: %w", err)
			}
			return nil
		}
	}
	return fmt.Errorf("factor: user state: %w", ErrConflict)
}

// needsActivation reports whether the policy wants an activation code
// before the user enrols.
func (m *Manager) needsActivation(ctx context.Context, userID string) (bool, error) {
	if !m.cfg.Policy.RequireActivation {
		return false, nil
	}
	us, err := m.store.GetUserState(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("factor: user state: %w", err)
	}
	if !us.ActivatedAt.IsZero() {
		return false, nil
	}
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("factor: list enrollments: %w", err)
	}
	return countConfirmed(all) == 0, nil
}
