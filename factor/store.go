package factor

import (
	"context"
	"time"
)

// Store is everything the Manager persists. It is made of one small
// interface per concern so that each can be implemented, wrapped and tested
// on its own. factor/memstore and factor/sqlstore implement all of it, and
// factor/factortest holds the conformance suite every implementation must
// pass.
//
// Rules for implementers: every method is safe for concurrent use, also from
// several processes sharing one database; records are handed out as copies
// and never aliased; a missing record is ErrNotFound; a compare-and-swap that
// loses is ErrConflict; operations documented as atomic must be atomic
// without any read-modify-write in the caller.
type Store interface {
	EnrollmentStore
	AttemptStore
	ChallengeStore
	CounterStore
	DeviceStore
	RecoveryStore
	ActivationStore
	UserStateStore
}

// EnrollmentStore persists enrollments.
type EnrollmentStore interface {
	// CreateEnrollment stores a new enrollment and sets its Version to 1.
	// An existing ID is ErrConflict.
	CreateEnrollment(ctx context.Context, e *Enrollment) error
	// GetEnrollment returns the user's enrollment with the given ID, or
	// ErrNotFound, also when the ID belongs to another user.
	GetEnrollment(ctx context.Context, userID, id string) (*Enrollment, error)
	// ListEnrollments returns the user's enrollments ordered by CreatedAt,
	// then ID. No enrollments is an empty slice, not an error.
	ListEnrollments(ctx context.Context, userID string) ([]*Enrollment, error)
	// UpdateEnrollment replaces the stored enrollment if and only if its
	// Version equals e.Version, and then increments e.Version. A stale
	// Version is ErrConflict; a missing record, or one whose UserID is not
	// e.UserID, is ErrNotFound.
	UpdateEnrollment(ctx context.Context, e *Enrollment) error
	// DeleteEnrollment removes one of the user's enrollments.
	DeleteEnrollment(ctx context.Context, userID, id string) error
	// DeleteEnrollments removes all of the user's enrollments and returns
	// how many there were.
	DeleteEnrollments(ctx context.Context, userID string) (int, error)
}

// VerifiedStore is an optional capability of a Store: saving an enrollment
// after a successful code and forgetting the user's failures in one step,
// which saves a database round trip on every login.
type VerifiedStore interface {
	// UpdateEnrollmentVerified does UpdateEnrollment(ctx, e) and, only if
	// that succeeds, ResetAttempts(ctx, e.UserID), atomically.
	UpdateEnrollmentVerified(ctx context.Context, e *Enrollment) error
}

// ReservingStore is an optional capability of a Store: counting an attempt
// and reading the enrollment it answers with in one call, which saves a
// database round trip on every login. The two need not be atomic together
// (sqlstore runs them as one statement on PostgreSQL, two on SQLite): the
// count is atomic on its own, and a stale read is caught by the
// compare-and-swap of the save. The Manager uses it only for codes
// that no factor's CodeNormalizer refuses, so that a malformed code still
// counts nothing.
type ReservingStore interface {
	// ReserveAttemptGetEnrollment does ReserveAttempt(ctx, userID, now)
	// and GetEnrollment(ctx, userID, id) in one step, and returns what
	// each returns. The attempt is counted whether the enrollment exists
	// or not: a missing enrollment, or one of another user, is a nil
	// Enrollment and an error wrapping ErrNotFound, beside the LockState
	// after the call. Any other error leaves both unknown.
	ReserveAttemptGetEnrollment(ctx context.Context, userID, id string, now time.Time) (LockState, *Enrollment, error)
}

// LockState is a user's failure accounting.
type LockState struct {
	// Failures counts attempts since the last success or lock, including
	// attempts still being checked.
	Failures int
	// Locks counts the locks since the last success; each lock lasts twice
	// as long as the one before.
	Locks int
	// LockedUntil is when the current lock ends; zero or past means the
	// user is not locked.
	LockedUntil time.Time
}

// AttemptStore counts attempts per user. Each method is one atomic step.
type AttemptStore interface {
	// ReserveAttempt counts an attempt before any code is compared. If the
	// user is locked at now (now is before LockedUntil) it changes nothing;
	// otherwise it increments Failures. It returns the state after the call.
	ReserveAttempt(ctx context.Context, userID string, now time.Time) (LockState, error)
	// LockUser locks the user until the given time, resets Failures and
	// increments Locks, unless the user is already locked at now, in which
	// case it changes nothing. It returns the state after the call.
	LockUser(ctx context.Context, userID string, now, until time.Time) (LockState, error)
	// ResetAttempts forgets the user's failures, locks and lock.
	ResetAttempts(ctx context.Context, userID string) error
}

// Challenge is one delivered code (SMS, voice or email) awaiting its answer.
type Challenge struct {
	// ID is the opaque challenge ID the host keeps in its session.
	ID string
	// UserID is the user the challenge was sent to.
	UserID string
	// EnrollmentID is the enrollment the code was sent to.
	EnrollmentID string
	// Kind is the enrollment's kind.
	Kind Kind
	// CodeHash is a keyed hash of the code; the code itself is never stored.
	CodeHash []byte
	// Keypad marks a voice challenge answered on the phone's keypad.
	Keypad bool
	// Tries counts the answers compared against this code.
	Tries int
	// Sends counts how often a code was sent for this challenge.
	Sends int
	// SentAt is when the current code was sent.
	SentAt time.Time
	// ExpiresAt is when the current code stops being accepted.
	ExpiresAt time.Time
	// ApprovedAt is when a keypad call was answered with the right digits.
	ApprovedAt time.Time
	// UsedAt is when the challenge was consumed; a used challenge accepts
	// nothing.
	UsedAt time.Time
	// Delivery is what the provider's delivery receipts reported about
	// the current code; empty until one did (see Extension.RecordDelivery).
	Delivery Delivery
	// Version is the store's revision, for compare-and-swap.
	Version int64
}

// Clone returns a deep copy of c.
func (c *Challenge) Clone() *Challenge {
	d := *c
	d.CodeHash = append([]byte(nil), c.CodeHash...)
	return &d
}

// ChallengeStore persists challenges.
type ChallengeStore interface {
	// CreateChallenge stores a new challenge and sets its Version to 1.
	// An existing ID is ErrConflict.
	CreateChallenge(ctx context.Context, c *Challenge) error
	// GetChallenge returns the challenge with the given ID or ErrNotFound.
	GetChallenge(ctx context.Context, id string) (*Challenge, error)
	// UpdateChallenge is a compare-and-swap on Version, like
	// UpdateEnrollment.
	UpdateChallenge(ctx context.Context, c *Challenge) error
	// DeleteChallenges removes the user's challenges.
	DeleteChallenges(ctx context.Context, userID string) error
}

// CounterStore keeps fixed-window counters for send budgets.
type CounterStore interface {
	// IncrementCounter atomically adds one to the counter named key and
	// returns the new count. A counter whose window ended (its expiry is
	// not after now) starts again at one with the given expiry.
	IncrementCounter(ctx context.Context, key string, now, expires time.Time) (int64, error)
	// ChargeCounters charges one send to every window, atomically and
	// only if each window's counter is below its Limit at now; otherwise
	// it changes nothing. A counter whose window ended (its expiry is not
	// after now) counts as zero and takes the window's Expires when
	// charged. It returns the indexes of the windows that were full, in
	// order; none means all were charged. Of concurrent charges, also from
	// several processes, no counter ever passes its Limit.
	ChargeCounters(ctx context.Context, windows []CounterWindow, now time.Time) (full []int, err error)
	// RefundCounters takes back one charge from each window whose counter
	// has not expired at now, never going below zero: it undoes a charge
	// for a send that certainly did not go out.
	RefundCounters(ctx context.Context, windows []CounterWindow, now time.Time) error
}

// CounterWindow is one fixed-window counter a send is charged to.
type CounterWindow struct {
	// Key names the counter, window included.
	Key string
	// Limit is the most the counter may reach.
	Limit int64
	// Expires is when the window ends.
	Expires time.Time
}

// TrustedDevice is a browser or app the user asked to remember after a successful
// second step. Only a hash of the token's validator is stored.
type TrustedDevice struct {
	// ID is the token's public selector.
	ID string
	// UserID is the user who trusted the device.
	UserID string
	// Label describes the device, such as the browser's name.
	Label string
	// ValidatorHash is a keyed hash of the token's secret validator.
	ValidatorHash []byte
	// CreatedAt is when the device was trusted.
	CreatedAt time.Time
	// LastUsedAt is when the token was last accepted.
	LastUsedAt time.Time
	// ExpiresAt is the token's absolute expiry.
	ExpiresAt time.Time
}

// DeviceStore persists trusted devices.
type DeviceStore interface {
	// CreateDevice stores a new trusted device. An existing ID is
	// ErrConflict.
	CreateDevice(ctx context.Context, d *TrustedDevice) error
	// GetDevice returns the device with the given selector or ErrNotFound.
	GetDevice(ctx context.Context, id string) (*TrustedDevice, error)
	// TouchDevice records a use of the device.
	TouchDevice(ctx context.Context, id string, lastUsed time.Time) error
	// ListDevices returns the user's devices ordered by CreatedAt, then ID.
	ListDevices(ctx context.Context, userID string) ([]*TrustedDevice, error)
	// DeleteDevice removes one of the user's devices.
	DeleteDevice(ctx context.Context, userID, id string) error
	// DeleteDevices removes all of the user's devices and returns how many
	// there were.
	DeleteDevices(ctx context.Context, userID string) (int, error)
}

// RecoveryStore persists the keyed hashes of a user's recovery codes.
type RecoveryStore interface {
	// ReplaceRecoveryCodes atomically replaces all of the user's codes.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error
	// ConsumeRecoveryCode atomically removes the code with the given hash
	// and returns how many codes remain. No such code is ErrNotFound.
	ConsumeRecoveryCode(ctx context.Context, userID string, hash []byte) (remaining int, err error)
	// CountRecoveryCodes returns how many unused codes the user has.
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)
}

// ActivationCode lets a user enrol a second factor. The service desk or an
// admin issues it; the user types it once.
type ActivationCode struct {
	// UserID is the user the code was issued for.
	UserID string
	// Hash is a keyed hash of the code.
	Hash []byte
	// IssuedBy names the admin or system that issued the code.
	IssuedBy string
	// CreatedAt is when the code was issued.
	CreatedAt time.Time
	// ExpiresAt is when the code lapses.
	ExpiresAt time.Time
	// UsedAt is when the code was used; zero while unused.
	UsedAt time.Time
}

// ActivationStore persists activation codes, one per user.
type ActivationStore interface {
	// PutActivationCode stores the user's activation code, replacing any
	// earlier one.
	PutActivationCode(ctx context.Context, a *ActivationCode) error
	// GetActivationCode returns the user's activation code or ErrNotFound.
	GetActivationCode(ctx context.Context, userID string) (*ActivationCode, error)
	// UseActivationCode atomically marks the user's code used at now if
	// its hash equals hash and it is unused. Anything else is ErrConflict
	// (wrong code, already used) or ErrNotFound (no code).
	UseActivationCode(ctx context.Context, userID string, hash []byte, now time.Time) error
}

// UserState is the per-user policy state twostep keeps beside the host's
// own user record.
type UserState struct {
	// UserID identifies the user.
	UserID string
	// PromptedAt is when the user was first asked to set up two-step
	// verification after it became required; the grace period counts from
	// it.
	PromptedAt time.Time
	// ActivatedAt is when the user last presented a valid activation code.
	// An admin reset sets it back to zero, so that a policy requiring
	// activation asks for a fresh code.
	ActivatedAt time.Time
	// Version is the store's revision, for compare-and-swap; zero for a
	// user the store has never seen.
	Version int64
}

// UserStateStore persists UserState.
type UserStateStore interface {
	// GetUserState returns the user's state. A user the store has never
	// seen gets a zero UserState with the UserID filled in and Version 0,
	// not ErrNotFound.
	GetUserState(ctx context.Context, userID string) (*UserState, error)
	// SaveUserState stores s if the stored Version equals s.Version (zero:
	// no stored state yet) and then increments s.Version; otherwise
	// ErrConflict.
	SaveUserState(ctx context.Context, s *UserState) error
	// DeleteUserState removes the user's state; removing state never
	// stored is not an error. Enrollments, attempts, challenges and the
	// rest have their own delete methods.
	DeleteUserState(ctx context.Context, userID string) error
}
