package factor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// guard runs check as one counted attempt of at's user. It is the failure
// accounting every second step shares, offered to packages that check codes
// of their own through Extension.Guard:
//
//   - the attempt is counted in the Store before check runs;
//   - while the user is locked, guard returns a *LockedError and check
//     never runs, so a lock never reveals a right guess;
//   - an error from check wrapping ErrInvalidCode is a failure: reaching
//     Lockout.Limit locks the user;
//   - nil from check is a success and resets the count. The success is
//     stored by then, so a failure to reset is only logged: it leaves
//     failures counted, which can bring a lock sooner, never later;
//   - any other error from check is returned as is and the attempt stays
//     counted.
func (m *Manager) guard(ctx context.Context, at *attempt, check func() error) error {
	lock, err := m.reserve(ctx, at.UserID, at.now)
	if err != nil {
		return err
	}
	if err := check(); err != nil {
		if errors.Is(err, ErrInvalidCode) {
			return m.failed(ctx, at, lock, err)
		}
		return err
	}
	m.resetAfterSuccess(ctx, at.UserID)
	return nil
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

// reserve counts an attempt of the user and refuses it when the user is
// locked.
func (m *Manager) reserve(ctx context.Context, userID string, now time.Time) (LockState, error) {
	lock, err := m.store.ReserveAttempt(ctx, userID, now)
	if err != nil {
		return lock, fmt.Errorf("factor: count attempt: %w", err)
	}
	return lock, m.refuseLocked(ctx, userID, lock, now)
}

// refuseLocked refuses an attempt the Store has counted, with lock the
// state after counting: while the user is locked at now, and when the
// attempt lies beyond the limit, which locks the user.
func (m *Manager) refuseLocked(ctx context.Context, userID string, lock LockState, now time.Time) error {
	if now.Before(lock.LockedUntil) {
		return lockedError(lock.LockedUntil, now)
	}
	if lock.Failures > m.cfg.Lockout.Limit {
		return m.lock(ctx, userID, lock, now)
	}
	return nil
}

// failed handles a wrong answer: it emits EventFailed naming the user and,
// when known, the enrollment and kind the attempt named; it locks the user
// when this was the last allowed attempt, and returns err, or the lock.
func (m *Manager) failed(ctx context.Context, at *attempt, lock LockState, err error) error {
	m.emit(ctx, Event{Type: EventFailed, UserID: at.UserID, EnrollmentID: at.enrollmentID, Kind: at.kind, Time: at.now, Actor: at.UserID})
	if lock.Failures >= m.cfg.Lockout.Limit {
		return m.lock(ctx, at.UserID, lock, at.now)
	}
	return err
}

func (m *Manager) lock(ctx context.Context, userID string, state LockState, now time.Time) error {
	d := m.cfg.Lockout.Duration
	for i := 0; i < state.Locks && d < m.cfg.Lockout.MaxDuration; i++ {
		d *= 2
	}
	d = min(d, m.cfg.Lockout.MaxDuration)
	after, err := m.store.LockUser(ctx, userID, now, now.Add(d))
	if err != nil {
		return fmt.Errorf("factor: lock user: %w", err)
	}
	if after.Locks > state.Locks {
		m.emit(ctx, Event{Type: EventLocked, UserID: userID, Time: now, Actor: userID, Reason: d.String()})
	}
	return lockedError(after.LockedUntil, now)
}

func lockedError(until, now time.Time) error {
	return &LockedError{Until: until, RetryAfter: until.Sub(now)}
}

// UnlockRequest describes an admin lifting a user's lock, after a call to
// the service desk, say.
type UnlockRequest struct {
	// UserID is the user to unlock. Required.
	UserID string
	// Actor is the admin doing it; recorded in the audit event. Required.
	Actor string
	// Reason is recorded in the audit event.
	Reason string
}

// Unlock lifts a user's lock and forgets their failures, for an admin or
// the service desk, and records actor and reason in an EventUnlocked.
func (m *Manager) Unlock(ctx context.Context, req UnlockRequest, now time.Time) error {
	if err := checkUserID(req.UserID); err != nil {
		return err
	}
	if err := checkActor(req.Actor); err != nil {
		return err
	}
	if err := checkText("reason", req.Reason, maxReason); err != nil {
		return err
	}
	if err := m.store.ResetAttempts(ctx, req.UserID); err != nil {
		return fmt.Errorf("factor: unlock: %w", err)
	}
	m.emit(ctx, Event{Type: EventUnlocked, UserID: req.UserID, Time: now, Actor: req.Actor, Reason: req.Reason})
	return nil
}
