package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxCodeLen bounds every code before anything else looks at it.
const maxCodeLen = 64

// Attempt is one answer to a second-step question.
type Attempt struct {
	// UserID is the user answering. Required.
	UserID string
	// EnrollmentID is the method answered with: required for factors that
	// verify codes themselves (TOTP), ignored when ChallengeID is set.
	EnrollmentID string
	// ChallengeID is the challenge a delivered code (SMS, voice, email)
	// answers, as returned by Challenge.
	ChallengeID string
	// Code is what the user typed. Empty for an approved voice keypad
	// challenge.
	Code string
}

// Verify checks a second step for login. It accepts only confirmed
// enrollments. A wrong, expired or replayed code, an unknown method and
// another user's method are all ErrInvalidCode, counted against the user;
// while the user is locked out the answer is a *LockedError and no code is
// compared. Malformed input is an *InputError and counts nothing.
func (m *Manager) Verify(ctx context.Context, a Attempt, now time.Time) error {
	return m.verify(ctx, a, now, false)
}

// Confirm checks the first code of a pending enrollment and, when it is
// right, confirms the enrollment. The same accounting as Verify applies.
// Confirming revokes the user's trusted devices, as every change to the
// user's factors does.
func (m *Manager) Confirm(ctx context.Context, a Attempt, now time.Time) error {
	return m.verify(ctx, a, now, true)
}

func (m *Manager) verify(ctx context.Context, a Attempt, now time.Time, confirm bool) error {
	if err := checkUserID(a.UserID); err != nil {
		return err
	}
	if len(a.Code) > maxCodeLen {
		return &InputError{Field: "code", Reason: "too long"}
	}
	if a.ChallengeID != "" {
		return m.verifyChallenge(ctx, a, now, confirm)
	}
	if done, err := m.verifyReserving(ctx, a, now, confirm); done {
		return err
	}
	e, err := m.store.GetEnrollment(ctx, a.UserID, a.EnrollmentID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("factor: get enrollment: %w", err)
	}
	v, code, err := m.verifier(e, a.Code)
	if err != nil {
		return err
	}
	var ev Event
	err = m.guardFor(ctx, attemptSubject(a.UserID, e), now, m.attemptOn(ctx, v, e, code, now, confirm, &ev))
	if err != nil {
		return err
	}
	return m.afterSuccess(ctx, e, ev)
}

// attemptOn is the guarded part of an attempt on e, the same on both login
// paths: an unknown, unusable or unverifiable enrollment fails like a wrong
// code; otherwise the code is checked and, when right, the success stored,
// and its event left in ev.
func (m *Manager) attemptOn(ctx context.Context, v Verifier, e *Enrollment, code string, now time.Time, confirm bool, ev *Event) func() error {
	return func() error {
		if e == nil || v == nil || !usable(e, now, confirm) {
			return ErrInvalidCode
		}
		var err error
		*ev, err = m.checkCode(ctx, v, e, code, now, confirm)
		return err
	}
}

// attemptSubject is what the failure event of an attempt on e names: the
// user, and the enrollment and its kind when it is the user's.
func attemptSubject(userID string, e *Enrollment) Event {
	subject := Event{UserID: userID}
	if e != nil {
		subject.EnrollmentID, subject.Kind = e.ID, e.Kind
	}
	return subject
}

// verifier finds the factor that checks e's codes and normalises code. An
// unknown enrollment yields no verifier, so that it fails like a wrong code.
func (m *Manager) verifier(e *Enrollment, code string) (Verifier, string, error) {
	if e == nil {
		return nil, code, nil
	}
	v, _ := m.factors[e.Kind].(Verifier)
	if n, ok := v.(CodeNormalizer); ok {
		c, err := n.NormalizeCode(code)
		return v, c, err
	}
	return v, code, nil
}

// usable reports whether e may answer: confirmed for login, pending for
// confirmation.
func usable(e *Enrollment, now time.Time, confirm bool) bool {
	if confirm {
		return e.Pending(now)
	}
	return e.Confirmed
}

// checkCode runs the factor's Verify on the opened secret and saves the
// result with compare-and-swap. Losing the swap means another attempt used
// the same code first: a replay.
func (m *Manager) checkCode(ctx context.Context, v Verifier, e *Enrollment, code string, now time.Time, confirm bool) (Event, error) {
	sealed := e.Secret
	secret, err := m.openSecret(e)
	if err != nil {
		return Event{}, err
	}
	e.Secret = secret
	err = v.Verify(ctx, e, code, now)
	e.Secret = sealed
	if err != nil {
		return Event{}, err
	}
	var first bool
	if confirm {
		if first, err = m.prepareConfirm(ctx, e); err != nil {
			return Event{}, err
		}
	}
	ev := markUsed(e, now, confirm)
	ev.enabled = first
	if err := m.saveVerified(ctx, e); err != nil {
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			// Another attempt used the code first. Say no more than a
			// sequential replay would: the code was right, but that is
			// nobody's business.
			return Event{}, ErrInvalidCode
		}
		return Event{}, fmt.Errorf("factor: save enrollment: %w", err)
	}
	return ev, nil
}

// markUsed records a successful code on e and returns the event to emit. A
// confirmation leaves LastUsedAt alone: the first code of a new method
// proves only that method, so it must not count as the second step that
// Remove, Disable and replacing a method ask for (see checkStepUp).
func markUsed(e *Enrollment, now time.Time, confirm bool) Event {
	ev := Event{Type: EventVerified, UserID: e.UserID, EnrollmentID: e.ID, Kind: e.Kind, Time: now, Actor: e.UserID}
	if confirm {
		e.Confirmed, e.ConfirmedAt, e.ExpiresAt = true, now, time.Time{}
		ev.Type = EventConfirmed
		return ev
	}
	e.LastUsedAt = now
	return ev
}

// afterSuccess emits the success event. A confirmation changes the user's
// factors and so revokes trusted devices; a confirmed replacement retires
// the enrollment it replaces.
func (m *Manager) afterSuccess(ctx context.Context, e *Enrollment, ev Event) error {
	if ev.Type != EventConfirmed {
		m.Emit(ctx, ev)
		return nil
	}
	var rerr error
	if e.Replaces != "" {
		err := m.store.DeleteEnrollment(ctx, e.UserID, e.Replaces)
		if err != nil && !errors.Is(err, ErrNotFound) {
			rerr = fmt.Errorf("factor: retire replaced enrollment: %w", err)
		}
		if err == nil {
			m.Emit(ctx, Event{Type: EventRemoved, UserID: e.UserID, EnrollmentID: e.Replaces, Kind: e.Kind, Time: ev.Time, Actor: ev.Actor, Reason: "replaced"})
		}
	}
	// The confirmation is stored: record it even if retiring failed.
	err := errors.Join(rerr, m.FactorsChanged(ctx, ev))
	if ev.enabled {
		m.Emit(ctx, Event{Type: EventEnabled, UserID: e.UserID, EnrollmentID: e.ID, Kind: e.Kind, Time: ev.Time, Actor: ev.Actor})
	}
	return err
}

// prepareConfirm settles the primary flag of an enrollment about to be
// confirmed: a replacement inherits it from the enrollment it replaces;
// otherwise the first confirmed enrollment of a kind becomes primary. It
// reports whether e is the user's first confirmed method, whose
// confirmation turns two-step verification on.
func (m *Manager) prepareConfirm(ctx context.Context, e *Enrollment) (first bool, err error) {
	all, err := m.store.ListEnrollments(ctx, e.UserID)
	if err != nil {
		return false, fmt.Errorf("factor: list enrollments: %w", err)
	}
	e.Primary, first = true, true
	for _, o := range all {
		if o.ID != e.ID && o.Confirmed {
			first = false
		}
		if o.ID == e.Replaces {
			e.Primary = o.Primary
		} else if o.ID != e.ID && o.Kind == e.Kind && o.Confirmed && o.Primary && e.Replaces == "" {
			e.Primary = false
		}
	}
	return first, nil
}

// saveVerified saves e after a success and resets the user's failures, in
// one store call when the store offers it.
func (m *Manager) saveVerified(ctx context.Context, e *Enrollment) error {
	if vs, ok := m.store.(VerifiedStore); ok {
		return vs.UpdateEnrollmentVerified(ctx, e)
	}
	if err := m.store.UpdateEnrollment(ctx, e); err != nil {
		return err
	}
	m.resetAfterSuccess(ctx, e.UserID)
	return nil
}
