package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxCASRetries bounds how often a compare-and-swap on one challenge is
// retried under contention.
const maxCASRetries = 100

// verifyChallenge checks a delivered code, or consumes an approved keypad
// challenge, and on success marks the enrollment used or confirmed.
func (m *Manager) verifyChallenge(ctx context.Context, a Attempt, now time.Time, confirm bool) error {
	c, e, err := m.loadAnswerable(ctx, a.UserID, a.ChallengeID)
	if err != nil {
		return err
	}
	code := a.Code
	if code != "" || c == nil || !c.Keypad {
		n := m.cfg.Codes.Digits
		if c != nil && c.Keypad {
			n = m.cfg.Codes.KeypadDigits
		}
		if code, err = normalizeDigits(code, n); err != nil {
			return err
		}
	}
	subject := Event{UserID: a.UserID}
	if c != nil {
		subject.EnrollmentID, subject.Kind = c.EnrollmentID, c.Kind
	}
	err = m.guardAndReset(ctx, subject, now, func() error {
		if c == nil || e == nil || !usable(e, now, confirm) {
			return ErrInvalidCode
		}
		return m.answer(ctx, c, code, now, true)
	})
	if err != nil {
		return err
	}
	return m.markEnrollment(ctx, e, now, confirm)
}

// loadAnswerable loads the user's challenge and its enrollment. Unknown
// ones come back nil without an error, to fail like a wrong code.
func (m *Manager) loadAnswerable(ctx context.Context, userID, challengeID string) (*Challenge, *Enrollment, error) {
	c, err := m.userChallenge(ctx, userID, challengeID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	e, err := m.store.GetEnrollment(ctx, userID, c.EnrollmentID)
	if errors.Is(err, ErrNotFound) {
		return c, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("factor: get enrollment: %w", err)
	}
	return c, e, nil
}

// answer compares code against the challenge and records the try with
// compare-and-swap, retrying on contention so that every try counts. With
// consume set a right answer uses the challenge up; otherwise (a keypad
// call) it approves it. A keypad challenge consumed with an empty code must
// have been approved.
func (m *Manager) answer(ctx context.Context, c *Challenge, code string, now time.Time, consume bool) error {
	for range maxCASRetries {
		if !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt) || c.Tries >= m.cfg.Codes.Tries {
			return ErrInvalidCode
		}
		ok := m.rightAnswer(c, code, consume)
		c.Tries++
		if ok && consume {
			c.UsedAt = now
		} else if ok {
			c.ApprovedAt = now
		}
		err := m.store.UpdateChallenge(ctx, c)
		if err == nil && ok {
			return nil
		}
		if err == nil {
			return ErrInvalidCode
		}
		if !errors.Is(err, ErrConflict) {
			return fmt.Errorf("factor: save challenge: %w", err)
		}
		if c, err = m.store.GetChallenge(ctx, c.ID); err != nil {
			return fmt.Errorf("factor: reload challenge: %w", err)
		}
	}
	return fmt.Errorf("factor: challenge %s: %w", c.ID, ErrConflict)
}

// rightAnswer compares in constant time. A keypad challenge is approved by
// the digits typed on the phone and then consumed with an empty code: the
// digits on the screen are no proof of anything when typed on the page.
func (m *Manager) rightAnswer(c *Challenge, code string, consume bool) bool {
	if c.Keypad && consume {
		return code == "" && !c.ApprovedAt.IsZero()
	}
	if c.Keypad && !c.ApprovedAt.IsZero() {
		return false
	}
	return code != "" && m.sealer.CheckMAC(c.CodeHash, "challenge", c.UserID, challengeData(c.ID, code))
}

// markEnrollment records the success on the enrollment: last use, and
// confirmation for a pending one. A phone confirmed while the user has no
// primary phone becomes primary.
func (m *Manager) markEnrollment(ctx context.Context, e *Enrollment, now time.Time, confirm bool) error {
	for range maxCASRetries {
		ev := markUsed(e, now, confirm)
		if confirm {
			first, err := m.prepareConfirm(ctx, e)
			if err != nil {
				return err
			}
			ev.enabled = first
		}
		err := m.store.UpdateEnrollment(ctx, e)
		if err == nil {
			return m.afterSuccess(ctx, e, ev)
		}
		if !errors.Is(err, ErrConflict) {
			return fmt.Errorf("factor: save enrollment: %w", err)
		}
		if e, err = m.store.GetEnrollment(ctx, e.UserID, e.ID); err != nil {
			return fmt.Errorf("factor: reload enrollment: %w", err)
		}
	}
	return fmt.Errorf("factor: enrollment %s: %w", e.ID, ErrConflict)
}

// ApproveKeypad records the digits a user typed on the phone during a voice
// keypad call; the voice package's webhook handler calls it after checking
// the provider's signature. Right digits approve the challenge, which the
// user's page then completes with Verify and an empty code; wrong digits are
// a counted failure.
func (m *Manager) ApproveKeypad(ctx context.Context, challengeID, digits string, now time.Time) error {
	c, err := m.store.GetChallenge(ctx, challengeID)
	if err != nil {
		return fmt.Errorf("factor: keypad: %w", err)
	}
	if !c.Keypad {
		return fmt.Errorf("%w: not a keypad challenge", ErrInvalidCode)
	}
	if digits, err = normalizeDigits(digits, m.cfg.Codes.KeypadDigits); err != nil {
		return err
	}
	if !c.ApprovedAt.IsZero() && c.UsedAt.IsZero() {
		return nil // the provider retried a callback that already approved
	}
	subject := Event{UserID: c.UserID, EnrollmentID: c.EnrollmentID, Kind: c.Kind}
	return m.guardAndReset(ctx, subject, now, func() error {
		return m.answer(ctx, c, digits, now, false)
	})
}

// ChallengeState is what a page polling a challenge may learn.
type ChallengeState string

// The states of a challenge.
const (
	ChallengePending  ChallengeState = "pending"
	ChallengeApproved ChallengeState = "approved"
	ChallengeUsed     ChallengeState = "used"
	ChallengeExpired  ChallengeState = "expired"
)

// ChallengeStatus tells the user's page whether a keypad call has been
// answered. It counts nothing and reveals nothing about the code.
func (m *Manager) ChallengeStatus(ctx context.Context, userID, challengeID string, now time.Time) (ChallengeState, error) {
	c, err := m.userChallenge(ctx, userID, challengeID)
	if err != nil {
		return "", err
	}
	switch {
	case !c.UsedAt.IsZero():
		return ChallengeUsed, nil
	case !now.Before(c.ExpiresAt) || c.Tries >= m.cfg.Codes.Tries:
		return ChallengeExpired, nil
	case !c.ApprovedAt.IsZero():
		return ChallengeApproved, nil
	}
	return ChallengePending, nil
}
