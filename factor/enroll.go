package factor

import (
	"context"
	"fmt"
	"time"
)

// Enroll stores a new, pending enrollment for req.UserID of kind req.Kind.
// The Manager assigns the ID and timestamps; the factor may check and
// complete it (a TOTP factor generates the secret, a phone factor
// normalises the number). The enrollment counts only after Confirm accepts
// a code for it, which must happen within Config.PendingTTL.
//
// A user who already has a confirmed enrollment needs a fresh second step
// to add another, as to remove one (see RemoveRequest.StepUp), or Enroll
// returns ErrStepUpRequired. With req.Replaces set (a changed phone number)
// the old enrollment goes when the new one is confirmed, and until then
// keeps working.
//
// The result carries the secret in the clear, for the host to show once (a
// QR code, for example), and the enrollment as a page shows it; the Store
// only ever holds the secret sealed.
func (m *Manager) Enroll(ctx context.Context, req EnrollRequest, now time.Time) (*Enrolled, error) {
	e := Enrollment{UserID: req.UserID, Kind: req.Kind, Label: req.Label, Address: req.Address, Replaces: req.Replaces, Secret: req.Secret, State: req.State}
	if err := checkUserID(e.UserID); err != nil {
		return nil, err
	}
	if err := checkID("replaces", e.Replaces); err != nil {
		return nil, err
	}
	if err := checkText("address", e.Address, maxUserID); err != nil {
		return nil, err
	}
	if err := checkText("label", e.Label, maxLabel); err != nil {
		return nil, err
	}
	f, ok := m.factors[e.Kind]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKind, e.Kind)
	}
	id, err := m.newID()
	if err != nil {
		return nil, err
	}
	e.ID, e.Confirmed, e.Primary, e.Counter, e.Version = id, false, false, 0, 0
	e.CreatedAt, e.ExpiresAt, e.ConfirmedAt, e.LastUsedAt = now, now.Add(m.pendingTTL(&e)), time.Time{}, time.Time{}
	// Bad input, such as a malformed phone number, is refused before any
	// store call.
	if p, ok := f.(Preparer); ok {
		if err := p.Prepare(&e); err != nil {
			return nil, err
		}
	}
	if err := m.mayEnrol(ctx, e, req.StepUp, now); err != nil {
		return nil, err
	}
	if err := m.checkEmailPolicy(ctx, e.UserID, e.Kind, now); err != nil {
		return nil, err
	}
	stored := e.Clone()
	if stored.Secret, err = m.sealSecret(&e); err != nil {
		return nil, err
	}
	if err := m.store.CreateEnrollment(ctx, stored); err != nil {
		return nil, fmt.Errorf("factor: create enrollment: %w", err)
	}
	e.Version = stored.Version
	linkTo, err := m.mailChangeLink(ctx, &e, req.Language, now)
	if err != nil {
		return nil, err
	}
	m.emit(ctx, Event{Type: EventEnrolled, UserID: e.UserID, EnrollmentID: e.ID, Kind: e.Kind, Time: now, Actor: e.UserID})
	return &Enrolled{Enrollment: e, Info: m.info(&e), LinkSentTo: linkTo}, nil
}

// Enrolled is a new pending enrollment, as Enroll returns it.
type Enrolled struct {
	// Enrollment is the stored enrollment, with its secret in the clear
	// for the host to show once.
	Enrollment
	// Info is the enrollment as a page shows it, with its address masked.
	Info EnrollmentInfo
	// LinkSentTo is set when the enrollment is a change of phone number
	// waiting for the link mailed to the account's address
	// (Policy.ChangeByEmail): the address, masked, for the page to say
	// where to look. Challenge refuses codes with ErrLinkRequired until
	// the link is opened.
	LinkSentTo string
}

// Enrollments returns the user's confirmed enrollments and those still
// pending at now, without their secrets. It changes nothing: lapsed pending
// enrollments are left out.
func (m *Manager) Enrollments(ctx context.Context, userID string, now time.Time) ([]*Enrollment, error) {
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("factor: list enrollments: %w", err)
	}
	out := all[:0]
	for _, e := range all {
		if !e.Confirmed && !e.Pending(now) {
			continue
		}
		e.Secret = nil
		out = append(out, e)
	}
	return out, nil
}

// checkEmailPolicy refuses email codes for a user who has another confirmed
// factor, unless Codes.EmailAlongside allows it.
func (m *Manager) checkEmailPolicy(ctx context.Context, userID string, k Kind, now time.Time) error {
	if k != KindEmail || m.cfg.Codes.EmailAlongside {
		return nil
	}
	all, err := m.store.ListEnrollments(ctx, userID)
	if err != nil {
		return fmt.Errorf("factor: list enrollments: %w", err)
	}
	if m.emailBlocked(all) {
		return ErrEmailFallback
	}
	return nil
}

// emailBlocked reports whether email codes are refused to a user with these
// enrollments: the user has another confirmed enrollment and email is only a
// fallback (Codes.EmailAlongside is false).
func (m *Manager) emailBlocked(all []*Enrollment) bool {
	if m.cfg.Codes.EmailAlongside {
		return false
	}
	for _, e := range all {
		if e.Confirmed && e.Kind != KindEmail {
			return true
		}
	}
	return false
}

func (m *Manager) sealSecret(e *Enrollment) ([]byte, error) {
	if e.Secret == nil {
		return nil, nil
	}
	return m.sealer.Seal(e.Secret, sealAD(nil, e.UserID, e.ID))
}

// openSecret opens e's sealed secret, for one use. The associated data
// binds it to e's user and ID, so a secret moved to another enrollment
// does not open.
func (m *Manager) openSecret(e *Enrollment) ([]byte, error) {
	if e.Secret == nil {
		return nil, nil
	}
	plain, err := m.sealer.Open(e.Secret, sealAD(nil, e.UserID, e.ID))
	if err != nil {
		m.log.Error("twostep: sealed secret does not open", "user", e.UserID, "enrollment", e.ID)
		return nil, fmt.Errorf("factor: enrollment %s: %w", e.ID, err)
	}
	return plain, nil
}

// sealAD binds a sealed secret to its user and enrollment.
func sealAD(dst []byte, userID, enrollmentID string) []byte {
	dst = append(dst, "twostep enrollment v1"...)
	dst = append(dst, 0, byte(len(userID)))
	dst = append(dst, userID...)
	dst = append(dst, 0)
	return append(dst, enrollmentID...)
}

// mayEnrol applies the policy to a new enrollment: the kind must be on
// offer, an activation code may be needed first, the user may have at most
// Config.MaxPending enrollments of the kind awaiting their first code (each
// can be sent codes, so they are capped), and a replacement must
// replace one of the user's live enrollments of the same kind. A user who
// has a method needs a recent second step to add or replace one, as to
// remove one.
func (m *Manager) mayEnrol(ctx context.Context, e Enrollment, stepUp string, now time.Time) error {
	if !m.cfg.Policy.allows(e.Kind) {
		return fmt.Errorf("%w: %q", ErrKindNotOffered, e.Kind)
	}
	if need, err := m.needsActivation(ctx, e.UserID); err != nil || need {
		if err == nil {
			err = ErrActivationRequired
		}
		return err
	}
	all, err := m.store.ListEnrollments(ctx, e.UserID)
	if err != nil {
		return fmt.Errorf("factor: list enrollments: %w", err)
	}
	pending := 0
	for _, o := range all {
		if o.Kind == e.Kind && o.Pending(now) {
			pending++
		}
	}
	if pending >= m.cfg.MaxPending {
		return ErrTooManyPending
	}
	if e.Replaces != "" {
		old := find(all, e.Replaces)
		if old == nil || (!old.Confirmed && !old.Pending(now)) {
			return fmt.Errorf("factor: enrollment to replace: %w", ErrNotFound)
		}
		if old.Kind != e.Kind {
			return &InputError{Field: "replaces", Reason: "must name an enrollment of the same kind"}
		}
	}
	// Adding or replacing an enrollment is a change of how the user logs
	// in: whoever got past the password alone must not add a method of
	// their own and then use it to turn the others off, also not by
	// replacing an enrollment that was never confirmed. A user whose
	// account address serves as the method has one too.
	implicit, err := m.accountEmail(ctx, e.UserID, all)
	if err != nil {
		return err
	}
	if countConfirmed(all) > 0 || implicit != nil {
		return m.checkStepUp(e.UserID, stepUp, all, now)
	}
	return nil
}
