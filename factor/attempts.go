package factor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Guard runs check as one counted attempt of the user. It is the failure
// accounting every factor shares, exported for packages that check codes of
// their own, such as recovery codes and activation codes:
//
//   - the attempt is counted in the Store before check runs;
//   - while the user is locked, Guard returns a *LockedError and check
//     never runs, so a lock never reveals a right guess;
//   - an error from check wrapping ErrInvalidCode is a failure: reaching
//     Lockout.Limit locks the user;
//   - nil from check is a success and resets the count. The success is
//     stored by then, so a failure to reset is only logged: it leaves
//     failures counted, which can bring a lock sooner, never later;
//   - any other error from check is returned as is and the attempt stays
//     counted.
func (m *Manager) Guard(ctx context.Context, userID string, now time.Time, check func() error) error {
	return m.guardAndReset(ctx, Event{UserID: userID}, now, check)
}

// guardAndReset is Guard for an attempt whose subject (user, and the
// enrollment and kind when known) the failure event names.
func (m *Manager) guardAndReset(ctx context.Context, subject Event, now time.Time, check func() error) error {
	return m.guardFor(ctx, subject, now, func() error {
		if err := check(); err != nil {
			return err
		}
		m.resetAfterSuccess(ctx, subject.UserID)
		return nil
	})
}

// resetAfterSuccess forgets the user's failures after a success that is
// already stored. Reporting a failure here would tell the user that a code
// failed which was in fact used up; leaving the failures counted can only
// bring a lock sooner. So a failing store is logged, not returned.
func (m *Manager) resetAfterSuccess(ctx context.Context, userID string) {
	if err := m.store.ResetAttempts(ctx, userID); err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "twostep: could not reset failures after a success", slog.String("user", userID), slog.String("error", err.Error()))
	}
}

// guardFor counts an attempt, runs it unless the user is locked, and
// handles a wrong code, whose failure event names subject: subject.UserID
// is the user, EnrollmentID and Kind are set when known. A successful
// attempt must reset the count itself, which lets the TOTP path save the
// enrollment and reset in one store call.
func (m *Manager) guardFor(ctx context.Context, subject Event, now time.Time, attempt func() error) error {
	at, err := m.reserve(ctx, subject.UserID, now)
	if err != nil {
		return err
	}
	if err := attempt(); err != nil {
		if errors.Is(err, ErrInvalidCode) {
			return m.failed(ctx, subject, at, now, err)
		}
		return err
	}
	return nil
}

// reserve counts an attempt and refuses it when the user is locked or the
// attempt lies beyond the limit.
func (m *Manager) reserve(ctx context.Context, userID string, now time.Time) (Attempts, error) {
	at, err := m.store.ReserveAttempt(ctx, userID, now)
	if err != nil {
		return at, fmt.Errorf("factor: count attempt: %w", err)
	}
	if now.Before(at.LockedUntil) {
		return at, lockedError(at.LockedUntil, now)
	}
	if at.Failures > m.cfg.Lockout.Limit {
		return at, m.lock(ctx, userID, at, now)
	}
	return at, nil
}

// failed handles a wrong code: it emits EventFailed about subject, locks
// the user when this was the last allowed attempt and returns err, or the
// lock.
func (m *Manager) failed(ctx context.Context, subject Event, at Attempts, now time.Time, err error) error {
	ev := subject
	ev.Type, ev.Time, ev.Actor = EventFailed, now, subject.UserID
	m.Emit(ctx, ev)
	if at.Failures >= m.cfg.Lockout.Limit {
		return m.lock(ctx, subject.UserID, at, now)
	}
	return err
}

func (m *Manager) lock(ctx context.Context, userID string, at Attempts, now time.Time) error {
	d := m.cfg.Lockout.Duration
	for i := 0; i < at.Locks && d < m.cfg.Lockout.MaxDuration; i++ {
		d *= 2
	}
	d = min(d, m.cfg.Lockout.MaxDuration)
	after, err := m.store.LockUser(ctx, userID, now, now.Add(d))
	if err != nil {
		return fmt.Errorf("factor: lock user: %w", err)
	}
	if after.Locks > at.Locks {
		m.Emit(ctx, Event{Type: EventLocked, UserID: userID, Time: now, Actor: userID, Reason: d.String()})
	}
	return lockedError(after.LockedUntil, now)
}

func lockedError(until, now time.Time) error {
	return &LockedError{Until: until, RetryAfter: until.Sub(now)}
}

// Unlock lifts a user's lock and forgets their failures, for an admin or
// the service desk. actor is recorded in the audit event.
func (m *Manager) Unlock(ctx context.Context, userID, actor string, now time.Time) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	if err := m.store.ResetAttempts(ctx, userID); err != nil {
		return fmt.Errorf("factor: unlock: %w", err)
	}
	m.Emit(ctx, Event{Type: EventUnlocked, UserID: userID, Time: now, Actor: actor})
	return nil
}
