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

// checkDelivered checks a code delivered by SMS, voice or email, or
// completes a keypad call approved on the phone, and on success records it
// on the enrollment: a delivered-code login, top to bottom.
func (m *Manager) checkDelivered(ctx context.Context, at attempt) (Result, error) {
	// Read the challenge and its enrollment; unknown ones stay nil and
	// fail like a wrong code.
	c, e, err := m.loadAnswerable(ctx, at.UserID, at.ChallengeID)
	if err != nil {
		return Result{}, err
	}
	// A malformed code counts nothing. An approved keypad call is
	// completed with an empty code.
	if at.code, err = m.normalizeDelivered(c, at.Code); err != nil {
		return Result{}, err
	}
	if c != nil {
		at.names(c.EnrollmentID, c.Kind)
	}
	// An answer that names one enrollment and a challenge of another is
	// the host's mix-up, say a challenge left in the session when the
	// user switched to the authenticator app: it counts nothing.
	if c != nil && at.EnrollmentID != "" && at.EnrollmentID != c.EnrollmentID {
		return Result{}, ErrChallengeMismatch
	}
	// Count the attempt before the code is compared; a locked user's code
	// is never compared.
	lock, err := m.reserve(ctx, at.UserID, at.now)
	if err != nil {
		return Result{}, err
	}
	if c == nil || e == nil || !at.usable(e) {
		return Result{}, m.failed(ctx, &at, lock, ErrInvalidCode)
	}
	// Compare the code and use the challenge up, with compare-and-swap:
	// of two attempts with one code only one wins.
	if err := m.answer(ctx, c, at.code, at.now, true); err != nil {
		if errors.Is(err, ErrInvalidCode) {
			return Result{}, m.failed(ctx, &at, lock, err)
		}
		return Result{}, err
	}
	m.resetAfterSuccess(ctx, at.UserID)
	// The code is used up; record the success on the enrollment.
	e, enabled, err := m.markEnrollment(ctx, e, &at)
	if err != nil {
		return Result{}, err
	}
	return m.succeeded(ctx, &at, e, enabled)
}

// normalizeDelivered puts a delivered code in canonical form: the digits
// alone, as many as the challenge's code has. An empty code completes an
// approved keypad call.
func (m *Manager) normalizeDelivered(c *Challenge, code string) (string, error) {
	if code == "" && c != nil && c.Keypad {
		return "", nil
	}
	n := m.cfg.Codes.Digits
	if c != nil && c.Keypad {
		n = m.cfg.Codes.KeypadDigits
	}
	return normalizeDigits(code, n)
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
	e, err := m.enrollment(ctx, userID, c.EnrollmentID)
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

// markEnrollment saves a passed second step on e (see markPassed),
// reading e afresh and trying again when a concurrent change won. The
// code is used up by then, so contention must not make it fail.
func (m *Manager) markEnrollment(ctx context.Context, e *Enrollment, at *attempt) (*Enrollment, bool, error) {
	for range maxCASRetries {
		enabled, err := m.markPassed(ctx, e, at)
		if err != nil {
			return nil, false, err
		}
		if e.ID == AccountEmailID {
			return e, false, nil // the account's address is not stored
		}
		err = m.store.UpdateEnrollment(ctx, e)
		if err == nil {
			return e, enabled, nil
		}
		if !errors.Is(err, ErrConflict) {
			return nil, false, fmt.Errorf("factor: save enrollment: %w", err)
		}
		if e, err = m.store.GetEnrollment(ctx, e.UserID, e.ID); err != nil {
			return nil, false, fmt.Errorf("factor: reload enrollment: %w", err)
		}
	}
	return nil, false, fmt.Errorf("factor: enrollment %s: %w", e.ID, ErrConflict)
}

// ApproveKeypad records the digits a user typed on the phone during a voice
// keypad call; the voice package's webhook handler calls it after checking
// the provider's signature. Right digits approve the challenge, which the
// user's page then completes with Verify and an empty code; wrong digits are
// a counted failure.
func (m *Manager) ApproveKeypad(ctx context.Context, challengeID, digits string, now time.Time) error {
	if err := checkID("challenge", challengeID); err != nil {
		return err
	}
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
	// A late or replayed callback, for a challenge used, expired or out
	// of tries, changes nothing and counts nothing: whoever can replay a
	// provider's signed request must not be able to lock the user out.
	if !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt) || c.Tries >= m.cfg.Codes.Tries {
		return fmt.Errorf("%w: the call's challenge is over", ErrInvalidCode)
	}
	at := attempt{Answer: Answer{UserID: c.UserID}, now: now}
	at.names(c.EnrollmentID, c.Kind)
	return m.guard(ctx, &at, func() error {
		return m.answer(ctx, c, digits, now, false)
	})
}

// ChallengeState is what a page polling a challenge may learn.
type ChallengeState string

// The states of a challenge. ChallengeDelivered and ChallengeUndelivered
// come only from delivery receipts (see Extension.RecordDelivery); without
// them an open challenge is ChallengePending.
const (
	ChallengePending  ChallengeState = "pending"
	ChallengeApproved ChallengeState = "approved"
	ChallengeUsed     ChallengeState = "used"
	ChallengeExpired  ChallengeState = "expired"
	// ChallengeDelivered: the provider reported the code delivered; the
	// user can type it. A keypad call stays ChallengePending until its
	// digits approve it, since that is what its page waits for.
	ChallengeDelivered ChallengeState = "delivered"
	// ChallengeUndelivered: the provider reported that the code did not
	// reach the user (see DeliveryUndelivered and DeliveryFailed); the
	// page should offer another method or a resend instead of waiting.
	// The code stays valid, in case it arrives after all.
	ChallengeUndelivered ChallengeState = "undelivered"
)

// ChallengeStatus tells the user's page whether a keypad call has been
// answered and, with delivery receipts, whether the code reached the user.
// It counts nothing and reveals nothing about the code.
func (m *Manager) ChallengeStatus(ctx context.Context, userID, challengeID string, now time.Time) (ChallengeState, error) {
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	if err := checkID("challenge", challengeID); err != nil {
		return "", err
	}
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
	case c.Delivery.missed():
		return ChallengeUndelivered, nil
	case c.Delivery == DeliveryDelivered && !c.Keypad:
		return ChallengeDelivered, nil
	}
	return ChallengePending, nil
}
