package factor

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error the Manager returns wraps at most one of them,
// so hosts branch with errors.Is. None of them ever carries a secret.
var (
	// ErrInvalidCode means the code was wrong, expired, already used, or
	// was offered for an enrollment the user does not have. The cases are
	// deliberately indistinguishable to the caller.
	ErrInvalidCode = errors.New("factor: invalid code")
	// ErrLocked means the user failed too often and is locked out for now.
	// While locked no code is compared at all.
	ErrLocked = errors.New("factor: too many failed attempts")
	// ErrNotFound means the requested record does not exist.
	ErrNotFound = errors.New("factor: not found")
	// ErrConflict means a compare-and-swap lost: the record changed since
	// it was read.
	ErrConflict = errors.New("factor: conflicting update")
	// ErrMalformed means the input could not be understood, such as an
	// overlong code or a code with letters in it. Nothing was changed.
	ErrMalformed = errors.New("factor: malformed input")
	// ErrUnknownKind means no factor of the requested kind is configured.
	ErrUnknownKind = errors.New("factor: unknown kind of factor")
	// ErrRateLimited means a send budget is spent; see RateLimitError.
	ErrRateLimited = errors.New("factor: rate limited")
	// ErrNotAllowed means policy forbids the operation, such as email codes
	// while the user has another factor.
	ErrNotAllowed = errors.New("factor: not allowed by policy")
	// ErrInvalidConfig means a Config was refused by NewManager.
	ErrInvalidConfig = errors.New("factor: invalid config")
	// ErrDelivery means a Sender failed to deliver a code. No usable code
	// was left behind.
	ErrDelivery = errors.New("factor: delivery failed")
)

// LockedError is returned while a user is locked out. It wraps ErrLocked.
type LockedError struct {
	// Until is when the lock ends.
	Until time.Time
	// RetryAfter is how long the caller should wait, counted from the
	// attempt's time.
	RetryAfter time.Duration
}

// Error says that the user is locked out and how long to wait, rounded to
// the second.
func (e *LockedError) Error() string {
	return fmt.Sprintf("factor: too many failed attempts, retry after %s", e.RetryAfter.Round(time.Second))
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

// RateLimitError is returned when sending a code would exceed a send budget
// or a resend comes too soon. It wraps ErrRateLimited.
type RateLimitError struct {
	// Scope names the budget that is spent: "resend", "destination",
	// "user" or "global" for sends, "remove" for removals of a user's
	// enrollments while verification is required (see Manager.Remove).
	Scope string
	// RetryAfter is how long until the budget allows the operation. For
	// a new Challenge refused by the resend cooldown it is an upper
	// bound, Codes.ResendAfter.
	RetryAfter time.Duration
}

// Error names the spent budget and says how long to wait, rounded to the
// second.
func (e *RateLimitError) Error() string {
	what := "send"
	if e.Scope == "remove" {
		what = "removal"
	}
	return fmt.Sprintf("factor: %s %s limit reached, retry after %s", e.Scope, what, e.RetryAfter.Round(time.Second))
}

// Unwrap returns ErrRateLimited.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// InputError describes bad input. It wraps ErrMalformed and never contains
// the input itself.
type InputError struct {
	// Field names what was wrong, such as "code" or "user".
	Field string
	// Reason says why, in English, for logs and developers.
	Reason string
}

// Error names the malformed field and the reason; it never contains the
// input.
func (e *InputError) Error() string {
	return "factor: malformed " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrMalformed.
func (e *InputError) Unwrap() error { return ErrMalformed }

// ConfigError names the Config field NewManager refused. It wraps
// ErrInvalidConfig.
type ConfigError struct {
	// Field is the offending Config field, such as "Lockout.Limit".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error names the refused Config field and the reason.
func (e *ConfigError) Error() string {
	return "factor: invalid config: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }
