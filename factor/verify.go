package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxCodeLen bounds every code before anything else looks at it.
const maxCodeLen = 64

// Answer is one answer to a second-step question.
type Answer struct {
	// UserID is the user answering. Required.
	UserID string
	// EnrollmentID is the enrollment answered with: required for factors
	// that verify codes themselves (TOTP), ignored when ChallengeID is set.
	EnrollmentID string
	// ChallengeID is the challenge a delivered code (SMS, voice, email)
	// answers, as returned by Challenge.
	ChallengeID string
	// Code is what the user typed. Empty for an approved voice keypad
	// challenge.
	Code string
}

// Result describes a second step that passed.
type Result struct {
	// EnrollmentID is the enrollment whose code passed.
	EnrollmentID string
	// Kind is that enrollment's kind.
	Kind Kind
	// Enabled is set when this confirmation was of the user's first
	// enrollment, which turned two-step verification on.
	Enabled bool
	// StepUp is a step-up grant for the session that passed this second
	// step (Verify only; a confirmation proves only the new enrollment).
	// A host keeps it in that session and passes it to Enroll, Remove and
	// Disable within Policy.StepUpWindow. It is a secret of the session.
	StepUp string
}

// Verify checks a second step for login. It accepts only confirmed
// enrollments. A wrong, expired or replayed code, an unknown enrollment and
// another user's enrollment are all ErrInvalidCode, counted against the
// user; while the user is locked out the answer is a *LockedError and no
// code is compared. Malformed input is an *InputError and counts nothing.
func (m *Manager) Verify(ctx context.Context, a Answer, now time.Time) (Result, error) {
	return m.check(ctx, attempt{Answer: a, now: now})
}

// Confirm checks the first code of a pending enrollment and, when it is
// right, confirms the enrollment. The same accounting as Verify applies.
// Confirming revokes the user's trusted devices, as every change to the
// user's enrollments does. When the confirmation is stored but what follows
// it fails (retiring a replaced enrollment, revoking devices), the error is
// returned beside a filled-in Result.
func (m *Manager) Confirm(ctx context.Context, a Answer, now time.Time) (Result, error) {
	return m.check(ctx, attempt{Answer: a, now: now, confirm: true})
}

// attempt is one answer on its way through the checks: what the user sent
// and when, whether it confirms a pending enrollment, the code in canonical
// form, and, once known, the enrollment it names, which a failure event
// reports.
type attempt struct {
	Answer
	now     time.Time
	confirm bool

	code         string
	enrollmentID string
	kind         Kind
}

// names records the enrollment the attempt turned out to name.
func (at *attempt) names(enrollmentID string, k Kind) {
	at.enrollmentID, at.kind = enrollmentID, k
}

// usable reports whether e may answer the attempt: confirmed for login,
// pending for a confirmation.
func (at *attempt) usable(e *Enrollment) bool {
	if at.confirm {
		return e.Pending(at.now)
	}
	return e.Confirmed
}

func (m *Manager) check(ctx context.Context, at attempt) (Result, error) {
	if err := checkUserID(at.UserID); err != nil {
		return Result{}, err
	}
	if err := checkID("enrollment", at.EnrollmentID); err != nil {
		return Result{}, err
	}
	if err := checkID("challenge", at.ChallengeID); err != nil {
		return Result{}, err
	}
	if len(at.Code) > maxCodeLen {
		return Result{}, &InputError{Field: "code", Reason: "too long"}
	}
	if at.ChallengeID != "" {
		return m.checkDelivered(ctx, at)
	}
	return m.checkEnrollment(ctx, at)
}

// checkEnrollment checks a code that the enrollment's factor verifies
// itself, such as an authenticator app's: a TOTP login, top to bottom.
func (m *Manager) checkEnrollment(ctx context.Context, at attempt) (Result, error) {
	// Count the attempt before any code is compared, and read the
	// enrollment. A malformed code counts nothing.
	lock, e, err := m.reserveAndGet(ctx, &at)
	if err != nil {
		return Result{}, err
	}
	// A locked user's code is never compared, so a lock never reveals a
	// right guess.
	if err := m.refuseLocked(ctx, at.UserID, lock, at.now); err != nil {
		return Result{}, err
	}
	// An enrollment whose codes are sent (SMS, voice, email) answers only
	// through its challenge: say so. An unknown enrollment, another
	// user's, one not usable now and one whose factor checks no codes
	// itself all fail like a wrong code.
	v, _ := m.factors[kindOf(e)].(Verifier)
	if _, sent := m.factors[kindOf(e)].(Challenger); e != nil && v == nil && sent && at.usable(e) {
		return Result{}, m.failed(ctx, &at, lock, ErrChallengeRequired)
	}
	if e == nil || v == nil || !at.usable(e) {
		return Result{}, m.failed(ctx, &at, lock, ErrInvalidCode)
	}
	// The factor checks the code against the secret, opened for this
	// call only, and records on e what makes the code single use.
	sealed := e.Secret
	if e.Secret, err = m.openSecret(e); err != nil {
		return Result{}, err
	}
	err = v.Verify(ctx, e, at.code, at.now)
	e.Secret = sealed
	if errors.Is(err, ErrInvalidCode) {
		return Result{}, m.failed(ctx, &at, lock, err)
	}
	if err != nil {
		return Result{}, err
	}
	// Store the success with compare-and-swap, forgetting the user's
	// failures. Of two attempts with one code only one wins the swap; the
	// other is a replay and says no more than a sequential replay would.
	enabled, err := m.markPassed(ctx, e, &at)
	if err != nil {
		return Result{}, err
	}
	err = m.saveVerified(ctx, e)
	if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
		return Result{}, m.failed(ctx, &at, lock, ErrInvalidCode)
	}
	if err != nil {
		return Result{}, fmt.Errorf("factor: save enrollment: %w", err)
	}
	return m.succeeded(ctx, &at, e, enabled)
}

// reserveAndGet counts the attempt against its user and reads the
// enrollment it names, nil when there is none or it is another user's, and
// puts the code in canonical form in at.code.
//
// With a ReservingStore both happen in one store call. It is taken only
// when every configured factor's CodeNormalizer accepts the code, so that
// normalising cannot fail after the attempt was counted. Otherwise the
// enrollment is read first and the code normalised for its kind before the
// attempt is counted. Either way a malformed code is an *InputError and
// counts nothing.
func (m *Manager) reserveAndGet(ctx context.Context, at *attempt) (LockState, *Enrollment, error) {
	if rs, ok := m.store.(ReservingStore); ok && m.wellFormed(at.Code) {
		lock, e, err := rs.ReserveAttemptGetEnrollment(ctx, at.UserID, at.EnrollmentID, at.now)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return lock, nil, fmt.Errorf("factor: count attempt: %w", err)
		}
		if err != nil {
			e = nil
		}
		at.code, _ = m.normalize(e, at.Code) // every normaliser accepted it
		at.names(idOf(e), kindOf(e))
		return lock, e, nil
	}
	e, err := m.store.GetEnrollment(ctx, at.UserID, at.EnrollmentID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return LockState{}, nil, fmt.Errorf("factor: get enrollment: %w", err)
	}
	if err != nil {
		e = nil
	}
	if at.code, err = m.normalize(e, at.Code); err != nil {
		return LockState{}, nil, err
	}
	at.names(idOf(e), kindOf(e))
	lock, err := m.store.ReserveAttempt(ctx, at.UserID, at.now)
	if err != nil {
		return lock, nil, fmt.Errorf("factor: count attempt: %w", err)
	}
	return lock, e, nil
}

// normalize puts code in the canonical form of the factor that verifies
// e's codes, when it has a CodeNormalizer; an unknown enrollment leaves code as it is, to fail like
// a wrong code.
func (m *Manager) normalize(e *Enrollment, code string) (string, error) {
	v, _ := m.factors[kindOf(e)].(Verifier)
	if n, ok := v.(CodeNormalizer); ok {
		return n.NormalizeCode(code)
	}
	return code, nil
}

// wellFormed reports whether the CodeNormalizer of every configured
// factor that verifies codes itself accepts code.
func (m *Manager) wellFormed(code string) bool {
	for _, f := range m.factors {
		v, _ := f.(Verifier)
		if n, ok := v.(CodeNormalizer); ok {
			if _, err := n.NormalizeCode(code); err != nil {
				return false
			}
		}
	}
	return true
}

// saveVerified saves e after a passed second step and forgets the user's
// failures: in one store call when the store is a VerifiedStore, otherwise
// by saving and then resetting.
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

// markPassed records a passed second step on e, before it is saved. For
// login it sets LastUsedAt. A confirmation instead confirms e and settles
// its primary flag: a replacement inherits it from the enrollment it
// replaces; otherwise it becomes the user's primary when the user has
// none. A confirmation leaves LastUsedAt alone: the first code of a new
// enrollment proves only that enrollment, so it must not count as the
// second step that Remove, Disable and replacing an enrollment ask for.
// markPassed reports whether e is the user's first confirmed enrollment,
// whose confirmation turns two-step verification on.
func (m *Manager) markPassed(ctx context.Context, e *Enrollment, at *attempt) (enabled bool, err error) {
	if !at.confirm {
		e.LastUsedAt = at.now
		return false, nil
	}
	all, err := m.store.ListEnrollments(ctx, e.UserID)
	if err != nil {
		return false, fmt.Errorf("factor: list enrollments: %w", err)
	}
	e.Confirmed, e.ConfirmedAt, e.ExpiresAt = true, at.now, time.Time{}
	enabled = true
	var inherits, taken bool // the replaced one is primary; another one is
	for _, o := range all {
		if o.ID == e.ID || !o.Confirmed {
			continue
		}
		enabled = false
		if o.ID == e.Replaces {
			inherits = o.Primary
		} else if o.Primary && !m.fallsBack(o, e) {
			taken = true
		}
	}
	e.Primary = inherits || !taken
	return enabled, nil
}

// fallsBack reports whether confirming e leaves o, an email enrollment,
// as a fallback that is no longer offered (see Codes.EmailAlongside).
func (m *Manager) fallsBack(o, e *Enrollment) bool {
	return o.Kind == KindEmail && e.Kind != KindEmail && !m.cfg.Codes.EmailAlongside
}

// succeeded reports a stored success. A login emits EventVerified. A
// confirmation emits EventConfirmed and brings what every change of the
// user's enrollments brings: the enrollment it replaces is retired, trusted
// devices are revoked, and the user's first enrollment emits EventEnabled.
func (m *Manager) succeeded(ctx context.Context, at *attempt, e *Enrollment, enabled bool) (Result, error) {
	res := Result{EnrollmentID: e.ID, Kind: e.Kind, Enabled: enabled}
	ev := Event{Type: EventVerified, UserID: e.UserID, EnrollmentID: e.ID, Kind: e.Kind, Time: at.now, Actor: e.UserID}
	if !at.confirm {
		m.emit(ctx, ev)
		grant, err := m.grantFor(e.UserID, at.now)
		if err != nil {
			return Result{}, fmt.Errorf("factor: step-up grant: %w", err)
		}
		res.StepUp = grant
		return res, nil
	}
	ev.Type = EventConfirmed
	var rerr error
	if e.Replaces != "" {
		err := m.store.DeleteEnrollment(ctx, e.UserID, e.Replaces)
		if err != nil && !errors.Is(err, ErrNotFound) {
			rerr = fmt.Errorf("factor: retire replaced enrollment: %w", err)
		}
		if err == nil {
			m.emit(ctx, Event{Type: EventRemoved, UserID: e.UserID, EnrollmentID: e.Replaces, Kind: e.Kind, Time: at.now, Actor: e.UserID, Reason: "replaced"})
		}
	}
	// The confirmation is stored: record it even if retiring failed.
	err := errors.Join(rerr, m.changed(ctx, ev))
	if enabled {
		m.emit(ctx, Event{Type: EventEnabled, UserID: e.UserID, EnrollmentID: e.ID, Kind: e.Kind, Time: at.now, Actor: e.UserID})
	}
	return res, err
}

func idOf(e *Enrollment) string {
	if e == nil {
		return ""
	}
	return e.ID
}

func kindOf(e *Enrollment) Kind {
	if e == nil {
		return ""
	}
	return e.Kind
}
