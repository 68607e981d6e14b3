package factor

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// Extension is what packages that build on a Manager use: recovery codes
// and trusted devices in this module, and a host's own kinds of second
// step. Hosts that only use the Manager need none of it. The package
// documentation's "Building on the Manager" says how the parts fit.
type Extension struct {
	m *Manager
}

// Extension returns the parts of m that packages building on it use.
func (m *Manager) Extension() Extension { return Extension{m: m} }

// Store returns the store as configured, with every optional capability
// it has. Calls through it get the caller's context as it is, so a
// package that may be called without a deadline bounds its calls itself,
// as the Manager does with Config.StoreTimeout.
func (x Extension) Store() Store { return x.m.cfg.Store }

// Sealer returns the Manager's sealer, which seals secrets and keys the
// hashes of codes and tokens.
func (x Extension) Sealer() *Sealer { return x.m.sealer }

// Rand returns the Manager's source of randomness.
func (x Extension) Rand() io.Reader { return x.m.rand }

// Logger returns the Manager's logger. Nothing secret may be logged.
func (x Extension) Logger() *slog.Logger { return x.m.log }

// NewID returns a new random identifier of 128 bits, as 26 characters of
// lower-case base32.
func (x Extension) NewID() (string, error) { return x.m.newID() }

// Emit records an audit event: it is logged, handed to Config.Events and,
// for changes to the user's enrollments (see Event.FactorChange), to
// Config.Notifier.
func (x Extension) Emit(ctx context.Context, e Event) { x.m.emit(ctx, e) }

// Changed records a stored change of the user's enrollments: it emits e
// and then revokes every trusted device of the user, so that the rule lives
// in one place. e is emitted even when revoking fails, whose error is
// returned.
func (x Extension) Changed(ctx context.Context, e Event) error { return x.m.changed(ctx, e) }

// Guard runs check as one counted attempt of the user, with the failure
// accounting every second step shares:
//
//   - the attempt is counted in the Store before check runs;
//   - while the user is locked, Guard returns a *LockedError and check
//     never runs, so a lock never reveals a right guess;
//   - an error from check wrapping ErrInvalidCode is a failure, reported
//     as EventFailed: reaching Lockout.Limit locks the user;
//   - nil from check is a success and resets the count;
//   - any other error from check is returned as is and the attempt stays
//     counted.
func (x Extension) Guard(ctx context.Context, userID string, now time.Time, check func() error) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	return x.m.guard(ctx, &attempt{Answer: Answer{UserID: userID}, now: now}, check)
}

// CheckUserID refuses a user identifier the Manager would refuse: empty,
// longer than 255 bytes, not valid UTF-8 or holding a control character.
// The error is an *InputError and wraps ErrMalformed.
func (x Extension) CheckUserID(userID string) error { return checkUserID(userID) }

// CheckText refuses a text from a host or user, such as a label, that is
// longer than max bytes, not valid UTF-8 or holds a control character. The
// error is an *InputError naming field and wraps ErrMalformed.
func (x Extension) CheckText(field, s string, max int) error { return checkText(field, s, max) }

// StepUpGrant issues the step-up grant of a second step that a package
// building on the Manager checked itself (a passkey login, say), for the
// Result it returns, as Verify does: valid Policy.StepUpWindow, bound to
// the user.
func (x Extension) StepUpGrant(userID string, now time.Time) (string, error) {
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	return x.m.grantFor(userID, now)
}
