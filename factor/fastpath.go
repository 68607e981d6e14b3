package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The one-step login: with a ReservingStore, Verify and Confirm of an
// enrollment count the attempt and read the enrollment in one store call
// instead of two, so that a right TOTP code costs two database statements
// (this call and the verified save) and a wrong one a single statement.
//
// The order of the checks stays what the two-call path guarantees:
//
//   - a malformed code counts nothing. The two-call path reads the
//     enrollment first and normalises the code by its kind's
//     CodeNormalizer before counting. The one-step path counts before it
//     knows the kind, so it is taken only when every configured
//     verifier's normaliser accepts the code: then whatever the kind, the
//     two-call path would have counted the attempt too. Any other code
//     goes the two-call way and gets its *InputError from there;
//   - the attempt is counted before any code is compared, and a locked
//     user's code is never compared;
//   - an unknown enrollment, another user's, or one not usable now is
//     ErrInvalidCode, counted like a wrong code.

// verifyReserving runs verify's enrollment path in one store call when the
// store offers it and the code is well-formed for every factor. It reports
// whether it ran; if not, verify takes the two-call path.
func (m *Manager) verifyReserving(ctx context.Context, a Attempt, now time.Time, confirm bool) (bool, error) {
	rs, ok := m.store.(ReservingStore)
	if !ok || !m.wellFormed(a.Code) {
		return false, nil
	}
	at, e, err := rs.ReserveAttemptGetEnrollment(ctx, a.UserID, a.EnrollmentID, now)
	switch {
	case errors.Is(err, ErrNotFound):
		e = nil
	case err != nil:
		return true, fmt.Errorf("factor: count attempt: %w", err)
	}
	v, code, err := m.verifier(e, a.Code)
	if err != nil {
		// Not reached: every normaliser accepted the code above.
		return true, err
	}
	var ev Event
	err = m.guardReserved(ctx, attemptSubject(a.UserID, e), at, now, m.attemptOn(ctx, v, e, code, now, confirm, &ev))
	if err != nil {
		return true, err
	}
	return true, m.afterSuccess(ctx, e, ev)
}

// wellFormed reports whether the normaliser of every configured verifier
// accepts code.
func (m *Manager) wellFormed(code string) bool {
	for _, k := range m.order {
		v, _ := m.factors[k].(Verifier)
		if n, ok := v.(CodeNormalizer); ok {
			if _, err := n.NormalizeCode(code); err != nil {
				return false
			}
		}
	}
	return true
}

// guardReserved is guardFor for an attempt the store has counted already,
// with at the state after counting: before attempt runs it refuses a
// locked user, and a user past the limit, exactly as Manager.reserve does.
// verifyReserving passes the subject verify passes to guardFor.
func (m *Manager) guardReserved(ctx context.Context, subject Event, at Attempts, now time.Time, attempt func() error) error {
	if now.Before(at.LockedUntil) {
		return lockedError(at.LockedUntil, now)
	}
	if at.Failures > m.cfg.Lockout.Limit {
		return m.lock(ctx, subject.UserID, at, now)
	}
	if err := attempt(); err != nil {
		if errors.Is(err, ErrInvalidCode) {
			return m.failed(ctx, subject, at, now, err)
		}
		return err
	}
	return nil
}
