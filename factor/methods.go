package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Policy errors about managing enrollments.
var (
	// ErrLastEnrollment means the enrollment is the user's last one while two-step
	// verification is required; only an admin reset removes it.
	ErrLastEnrollment = errors.New("factor: cannot remove the last enrollment while two-step verification is required")
	// ErrStepUpRequired means the operation needs a recent second step:
	// the user must first enter a valid code of any of their enrollments.
	ErrStepUpRequired = errors.New("factor: a recent second step is required")
	// ErrChallengeMismatch means an Answer named one enrollment and a
	// challenge sent for another; nothing is counted. It wraps
	// ErrMalformed.
	ErrChallengeMismatch = fmt.Errorf("%w: the challenge belongs to another enrollment", ErrMalformed)
	// ErrChallengeRequired means a code was given for an enrollment whose
	// codes are sent (SMS, voice, email) without the challenge it answers:
	// pass Answer.ChallengeID. It wraps ErrInvalidCode and is counted like
	// a wrong code.
	ErrChallengeRequired = fmt.Errorf("%w: this enrollment's codes answer a challenge", ErrInvalidCode)
)

// Policy refusals. Each wraps ErrNotAllowed, so a host may branch on that
// alone, and each has its own text for people (see UserMessage).
var (
	// ErrRequired means two-step verification is mandatory for the user
	// now: it cannot be turned off, nor skipped once the grace period is
	// over.
	ErrRequired = fmt.Errorf("%w: two-step verification is required", ErrNotAllowed)
	// ErrEmailFallback means email codes are refused because the user has
	// another enrollment: email is only a fallback (see Codes.EmailAlongside).
	ErrEmailFallback = fmt.Errorf("%w: email codes are only a fallback for users without another enrollment", ErrNotAllowed)
	// ErrKindNotOffered means the policy does not offer this kind of enrollment
	// (see Policy.Kinds).
	ErrKindNotOffered = fmt.Errorf("%w: this kind of enrollment is not offered", ErrNotAllowed)
	// ErrTooManyPending means the user already has Config.MaxPending
	// enrollments of this kind awaiting their first code: confirm or remove
	// one, or wait until they lapse (Config.PendingTTL).
	ErrTooManyPending = fmt.Errorf("%w: too many enrollments await their first code", ErrNotAllowed)
	// ErrNotConfirmed means the enrollment still awaits its first code.
	ErrNotConfirmed = fmt.Errorf("%w: the enrollment is not confirmed yet", ErrNotAllowed)
)

// Remove deletes one of the user's enrollments at the user's request. A pending
// enrollment may always be removed. A confirmed one needs a second step within
// Policy.StepUpWindow, and cannot be the last confirmed enrollment while
// two-step verification is required (ErrLastEnrollment). Removing revokes the
// user's trusted devices and emits EventRemoved.
//
// While verification is required, removals of confirmed enrollments of one
// user are one at a time: a removal within removalLease of the last one is
// refused with a *RateLimitError (scope "remove"), so that two concurrent
// removals cannot both pass the last-enrollment check.
func (m *Manager) Remove(ctx context.Context, req RemoveRequest, now time.Time) error {
	userID, enrollmentID := req.UserID, req.EnrollmentID
	if err := checkUserID(userID); err != nil {
		return err
	}
	if err := checkID("enrollment", enrollmentID); err != nil {
		return err
	}
	all, e, err := m.findEnrollment(ctx, userID, enrollmentID)
	if err != nil {
		return err
	}
	if e.Confirmed && m.cfg.Policy.RequiredAt(now) {
		if err := m.takeRemovalLease(ctx, userID, now); err != nil {
			return err
		}
		// Look again under the lease: the check below must see every
		// removal that went before.
		if all, e, err = m.findEnrollment(ctx, userID, enrollmentID); err != nil {
			return err
		}
	}
	if e.Confirmed {
		if err := m.checkStepUp(userID, req.StepUp, all, now); err != nil {
			return err
		}
		if m.cfg.Policy.RequiredAt(now) && countConfirmed(all) == 1 {
			return ErrLastEnrollment
		}
	}
	if err := m.store.DeleteEnrollment(ctx, userID, enrollmentID); err != nil {
		return fmt.Errorf("factor: remove: %w", err)
	}
	var perr error
	if e.Primary {
		perr = m.promoteNext(ctx, e)
	}
	// The removal is stored: record it even if promoting failed.
	return errors.Join(perr, m.changed(ctx, Event{Type: EventRemoved, UserID: userID, EnrollmentID: e.ID, Kind: e.Kind, Time: now, Actor: userID}))
}

// findEnrollment lists the user's enrollments and finds one of them.
func (m *Manager) findEnrollment(ctx context.Context, userID, enrollmentID string) ([]*Enrollment, *Enrollment, error) {
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("factor: list enrollments: %w", err)
	}
	e := find(all, enrollmentID)
	if e == nil {
		return nil, nil, fmt.Errorf("factor: remove: %w", ErrNotFound)
	}
	return all, e, nil
}

// removalLease is how long a removal of a confirmed enrollment holds the
// user's removals while verification is required: far longer than a
// removal takes, and shorter than a person needs to ask for the next one.
const removalLease = 10 * time.Second

// takeRemovalLease lets one removal of the user's enrollments through at a
// time, through a counter in the Store, so across app instances too.
func (m *Manager) takeRemovalLease(ctx context.Context, userID string, now time.Time) error {
	n, err := m.store.IncrementCounter(ctx, "remove:"+userID, now, now.Add(removalLease))
	if err != nil {
		return fmt.Errorf("factor: remove: %w", err)
	}
	if n > 1 {
		return &RateLimitError{Scope: "remove", RetryAfter: removalLease}
	}
	return nil
}

// Disable turns two-step verification off for the user: all enrollments and
// recovery codes go, trusted devices are revoked. It needs a recent second
// step and is refused with ErrRequired while verification is required.
func (m *Manager) Disable(ctx context.Context, req DisableRequest, now time.Time) error {
	userID := req.UserID
	if err := checkUserID(userID); err != nil {
		return err
	}
	if m.cfg.Policy.RequiredAt(now) {
		return ErrRequired
	}
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return fmt.Errorf("factor: list enrollments: %w", err)
	}
	if err := m.checkStepUp(userID, req.StepUp, all, now); err != nil {
		return err
	}
	err = m.wipe(ctx, userID)
	return errors.Join(err, m.changed(ctx, Event{Type: EventDisabled, UserID: userID, Time: now, Actor: userID}))
}

// SetPrimary makes a confirmed enrollment the user's primary one, the one a
// login page offers first, and every other enrollment of the user an
// alternate: a user has one primary enrollment. A pending enrollment is
// ErrNotConfirmed; making the primary primary again changes nothing and
// emits nothing. Each record is saved with compare-and-swap, the new
// primary first.
func (m *Manager) SetPrimary(ctx context.Context, userID, enrollmentID string, now time.Time) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	if err := checkID("enrollment", enrollmentID); err != nil {
		return err
	}
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return fmt.Errorf("factor: list enrollments: %w", err)
	}
	e := find(all, enrollmentID)
	switch {
	case e == nil:
		return fmt.Errorf("factor: set primary: %w", ErrNotFound)
	case !e.Confirmed:
		return ErrNotConfirmed
	case e.Primary && countPrimary(all) == 1:
		return nil
	}
	e.Primary = true
	if err := m.store.UpdateEnrollment(ctx, e); err != nil {
		return fmt.Errorf("factor: set primary: %w", err)
	}
	for _, o := range all {
		if o.ID != e.ID && o.Primary {
			o.Primary = false
			if err := m.store.UpdateEnrollment(ctx, o); err != nil {
				return fmt.Errorf("factor: set primary: %w", err)
			}
		}
	}
	m.emit(ctx, Event{Type: EventPrimaryChanged, UserID: userID, EnrollmentID: e.ID, Kind: e.Kind, Time: now, Actor: userID})
	return nil
}

// promoteNext makes another confirmed enrollment the user's primary when
// gone, the primary, was removed and no other one is primary: one of gone's
// kind if there is one (another phone number), otherwise the first in
// policy order. It reads the enrollments afresh and retries when a
// concurrent change wins, so that an enrollment removed or restored
// meanwhile is seen as it is.
func (m *Manager) promoteNext(ctx context.Context, gone *Enrollment) error {
	for range maxCASRetries {
		all, err := m.store.ListEnrollments(ctx, gone.UserID)
		if err != nil {
			return fmt.Errorf("factor: promote primary: %w", err)
		}
		var next *Enrollment
		for _, o := range all {
			if !o.Confirmed {
				continue
			}
			if o.Primary {
				return nil
			}
			if next == nil || m.preferred(o, next, gone.Kind) {
				next = o
			}
		}
		if next == nil {
			return nil
		}
		next.Primary = true
		err = m.store.UpdateEnrollment(ctx, next)
		if err == nil || (!errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound)) {
			return wrapIf("factor: promote primary", err)
		}
	}
	return fmt.Errorf("factor: promote primary: %w", ErrConflict)
}

// preferred reports whether a should take a primary's place before b:
// an enrollment of the primary's kind first, then policy order.
func (m *Manager) preferred(a, b *Enrollment, kind Kind) bool {
	if (a.Kind == kind) != (b.Kind == kind) {
		return a.Kind == kind
	}
	return m.cfg.Policy.rank(a.Kind) < m.cfg.Policy.rank(b.Kind)
}

// wrapIf wraps a non-nil err with what failed.
func wrapIf(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// wipe removes all of a user's enrollments, recovery codes and challenges. It
// carries on past a failing step and returns the failures joined, so that
// a wipe half done is still recorded and revokes trusted devices: callers
// call FactorsChanged whatever wipe returns.
func (m *Manager) wipe(ctx context.Context, userID string) error {
	var errs []error
	if _, err := m.store.DeleteEnrollments(ctx, userID); err != nil {
		errs = append(errs, fmt.Errorf("factor: delete enrollments: %w", err))
	}
	if err := m.store.ReplaceRecoveryCodes(ctx, userID, nil); err != nil {
		errs = append(errs, fmt.Errorf("factor: delete recovery codes: %w", err))
	}
	if err := m.store.DeleteChallenges(ctx, userID); err != nil {
		errs = append(errs, fmt.Errorf("factor: delete challenges: %w", err))
	}
	return errors.Join(errs...)
}

func find(all []*Enrollment, id string) *Enrollment {
	for _, e := range all {
		if e.ID == id {
			return e
		}
	}
	return nil
}

func countPrimary(all []*Enrollment) int {
	n := 0
	for _, e := range all {
		if e.Primary {
			n++
		}
	}
	return n
}

func countConfirmed(all []*Enrollment) int {
	n := 0
	for _, e := range all {
		if e.Confirmed {
			n++
		}
	}
	return n
}
