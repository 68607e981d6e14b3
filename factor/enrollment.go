package factor

import (
	"slices"
	"time"
)

// Kind names a kind of second factor.
type Kind string

// The kinds of factor twostep ships.
const (
	KindTOTP  Kind = "totp"
	KindSMS   Kind = "sms"
	KindVoice Kind = "voice"
	KindEmail Kind = "email"
)

// Enrollment is one second factor of one user: an authenticator app, a phone
// number or an email address. Stores persist it; the Manager owns its rules.
type Enrollment struct {
	// ID identifies the enrollment; the Manager assigns a random one.
	ID string
	// UserID is the host's identifier of the user the enrollment belongs to.
	UserID string
	// Kind is the kind of factor.
	Kind Kind
	// Label is a name the user chose, such as "Work phone".
	Label string
	// Address is where codes are delivered: an E.164 phone number or an
	// email address. It is empty for authenticator apps.
	Address string
	// Primary marks the user's primary enrollment, the one a login page
	// offers first; a user has one (see Manager.SetPrimary).
	Primary bool
	// Confirmed is set once the user proved possession with a valid code.
	// An unconfirmed enrollment is pending and cannot be used to log in.
	Confirmed bool
	// Replaces is the ID of an enrollment of the same user and kind that
	// this one replaces once confirmed: a changed phone number, say. The
	// old one keeps working until the new one is confirmed.
	Replaces string
	// Secret is the factor's secret, such as a TOTP key. Stores only ever
	// see it sealed; factors only ever see it opened.
	Secret []byte
	// Counter is the last accepted time step (TOTP): a step not later than
	// it is refused, which makes every code single use.
	Counter int64
	// State is factor-private state the Manager stores without reading it.
	State []byte
	// CreatedAt is when the enrollment was created.
	CreatedAt time.Time
	// ExpiresAt is when a pending enrollment lapses; zero once confirmed.
	ExpiresAt time.Time
	// ConfirmedAt is when the enrollment was confirmed.
	ConfirmedAt time.Time
	// LastUsedAt is when a code of this enrollment last passed a second
	// step (Verify); the confirming code does not count.
	LastUsedAt time.Time
	// Version is the store's revision, used for compare-and-swap: an update
	// carrying a stale Version fails with ErrConflict.
	Version int64
}

// Clone returns a deep copy of e, so that callers never share byte slices.
func (e *Enrollment) Clone() *Enrollment {
	c := *e
	c.Secret = slices.Clone(e.Secret)
	c.State = slices.Clone(e.State)
	return &c
}

// Pending reports whether e still awaits confirmation at now.
func (e *Enrollment) Pending(now time.Time) bool {
	return !e.Confirmed && (e.ExpiresAt.IsZero() || now.Before(e.ExpiresAt))
}
