package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ResetRequest describes an admin reset of a user's two-step verification,
// for a lost phone, say.
type ResetRequest struct {
	// UserID is the user to reset. Required.
	UserID string
	// Actor is the admin doing it; recorded in the audit event. Required.
	Actor string
	// Reason is recorded in the audit event.
	Reason string
	// IssueActivationCode also issues a fresh activation code.
	IssueActivationCode bool
}

// Reset removes all of the user's enrollments, recovery codes and pending
// challenges, revokes their trusted devices, lifts any lock, and records
// actor and reason. The user enrols again at the next login; when the
// policy requires activation codes the user needs a fresh one, which Reset
// issues and returns if asked to (otherwise the returned code is empty).
func (m *Manager) Reset(ctx context.Context, req ResetRequest, now time.Time) (string, error) {
	if err := checkUserID(req.UserID); err != nil {
		return "", err
	}
	if err := checkActor(req.Actor); err != nil {
		return "", err
	}
	if err := checkText("reason", req.Reason, maxReason); err != nil {
		return "", err
	}
	// Record the wipe, even a partial one, before anything else can fail.
	werr := m.wipe(ctx, req.UserID)
	ev := Event{Type: EventReset, UserID: req.UserID, Time: now, Actor: req.Actor, Reason: req.Reason}
	if err := errors.Join(werr, m.changed(ctx, ev)); err != nil {
		return "", err
	}
	if err := m.store.ResetAttempts(ctx, req.UserID); err != nil {
		return "", fmt.Errorf("factor: reset attempts: %w", err)
	}
	if err := m.updateUserState(ctx, req.UserID, func(us *UserState) { us.ActivatedAt = time.Time{} }); err != nil {
		return "", err
	}
	if !req.IssueActivationCode {
		return "", m.revokeActivationCode(ctx, req.UserID, req.Actor, now)
	}
	return m.IssueActivationCode(ctx, req.UserID, req.Actor, now)
}

// revokeActivationCode makes an unused activation code of the user unusable,
// so that a reset that issues no new code leaves no old one behind.
func (m *Manager) revokeActivationCode(ctx context.Context, userID, actor string, now time.Time) error {
	a, err := m.store.GetActivationCode(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("factor: activation code: %w", err)
	}
	if !a.UsedAt.IsZero() || !now.Before(a.ExpiresAt) {
		return nil
	}
	a.ExpiresAt, a.IssuedBy = now, actor
	if err := m.store.PutActivationCode(ctx, a); err != nil {
		return fmt.Errorf("factor: revoke activation code: %w", err)
	}
	return nil
}
