package factor

import (
	"io"
	"log/slog"
	"time"
)

// Config configures a Manager. Store is required, and so is Sender when a
// factor delivers codes (SMS, voice, email); the zero value of every other
// field is a safe default. NewManager refuses unsafe values and never
// modifies the caller's Config.
type Config struct {
	// Store persists enrollments and everything else. Required.
	Store Store
	// Factors are the kinds of factor on offer, at most one per kind.
	Factors []Factor
	// Keys seal factor secrets and key the hashes of codes, current key
	// first. Empty means a random key for the life of the process, which
	// suits only in-memory stores: anything persisted under it is lost at
	// restart.
	Keys []ServerKey
	// Sender delivers codes of factors that implement Challenger; required
	// when there are any. A Router sends each kind its own way;
	// ConsoleSender prints them, for development.
	Sender Sender
	// Logger receives operational logs. Nothing secret is ever logged.
	// Nil discards logs.
	Logger *slog.Logger
	// Events receives every audit event. Nil drops them after logging.
	Events EventSink
	// Notifier receives the events that change a user's factors (see
	// Event.FactorChange), so the host can tell the user. Nil tells no one.
	Notifier EventSink
	// AccountEmails looks up the email address of each user's account.
	// Set, it makes that address the implicit method of a user who has
	// set up nothing else (see AccountEmails); it needs an email factor
	// and Policy.StepUpGrants. Nil offers only enrolled methods.
	AccountEmails AccountEmails
	// Policy is the account policy: when two-step verification is
	// required, grace days, activation codes and the kinds on offer.
	Policy Policy
	// Lockout is the failure accounting shared by all factors.
	Lockout Lockout
	// Codes governs delivered codes (SMS, voice, email).
	Codes DeliveredCodes
	// Budget limits how many codes are sent, against SMS cost fraud.
	Budget Budget
	// PendingTTL is how long an enrollment may wait for its first code.
	// Zero means 15 minutes; at most 24 hours.
	PendingTTL time.Duration
	// MaxPending is how many enrollments of one kind a user may have
	// awaiting their first code at once; Enroll refuses the next with
	// ErrTooManyPending. Zero means 3; 1 to 20.
	MaxPending int
	// StoreTimeout bounds each call of the Store whose context has no
	// deadline, so that a database that stops answering cannot hold a
	// login forever; a deadline the caller set is kept as it is. Zero
	// means 10 seconds; at most 10 minutes.
	StoreTimeout time.Duration
	// Rand is the source of randomness. Nil means crypto/rand; set it only
	// in tests.
	Rand io.Reader
}

// Lockout sets how failed attempts lock a user out. Failures count per user
// across all factors.
type Lockout struct {
	// Limit is the number of consecutive failures that locks the user.
	// Zero means 10; at most 100 (NIST SP 800-63B).
	Limit int
	// Duration is the first lock's length; each further lock before a
	// success doubles it. Zero means 15 minutes.
	Duration time.Duration
	// MaxDuration caps the doubling. Zero means 24 hours.
	MaxDuration time.Duration
}

// DeliveredCodes governs codes the Manager generates and a Sender delivers.
type DeliveredCodes struct {
	// Digits is the code length. Zero means 6; 4 to 10.
	Digits int
	// TTL is how long an SMS or voice code stays valid. Zero means 5
	// minutes; at most 10 minutes.
	TTL time.Duration
	// EmailTTL is how long an email code stays valid. Zero means TTL; at
	// most one hour.
	EmailTTL time.Duration
	// Tries is how many answers one code gets. Zero means 5; at most 10.
	Tries int
	// ResendAfter is how long a user waits before a code can be sent
	// again; a resend replaces the old code. Zero means 30 seconds.
	ResendAfter time.Duration
	// KeypadDigits is how many digits the screen shows in voice keypad
	// mode. Zero means 2; 1 to 6.
	KeypadDigits int
	// SendTimeout bounds one call of the Sender, whatever deadline the
	// caller's context has, so that a provider that never answers cannot
	// hold a login page. Zero means 30 seconds; at most 5 minutes.
	SendTimeout time.Duration
	// EmailAlongside allows email codes for users who have another
	// confirmed factor. By default email is only a fallback for users who
	// have nothing else, because email is a weak second factor.
	EmailAlongside bool
}

// Budget limits sends per destination, per user and overall. Counters live
// in the Store, so the limits hold across app instances. A negative value
// switches a limit off.
//
// The defaults let a user whose only method is a phone log in six times a
// day and ask for one resend each time (12 codes a day) without ever being
// refused, while one number gets at most 15 codes a day and one account at
// most 20, which makes SMS pumping through one account worthless. Only
// sends that go out are charged; a refused request costs nothing.
type Budget struct {
	// PerDestinationHour limits codes to one confirmed address per hour.
	// Zero means 5.
	PerDestinationHour int
	// PerDestinationDay limits codes to one confirmed address per day.
	// Zero means 15.
	PerDestinationDay int
	// PendingPerDestinationDay limits codes per day to one address that
	// some user is enrolling but has not confirmed, over all users
	// together. It is separate from the budget of users who confirmed the
	// address, so that enrolling someone else's number cannot use up
	// their codes. Zero means 5.
	PendingPerDestinationDay int
	// PerUserDay limits codes to one user per day. Zero means 20.
	PerUserDay int
	// GlobalPerMinute limits all sends of this deployment per minute.
	// Zero means 1000.
	GlobalPerMinute int
}

func (c Config) withDefaults() Config {
	c.Factors = append([]Factor(nil), c.Factors...)
	c.Keys = append([]ServerKey(nil), c.Keys...)
	c.Lockout.Limit = orInt(c.Lockout.Limit, 10)
	c.Lockout.Duration = orDur(c.Lockout.Duration, 15*time.Minute)
	c.Lockout.MaxDuration = orDur(c.Lockout.MaxDuration, 24*time.Hour)
	c.Codes.Digits = orInt(c.Codes.Digits, 6)
	c.Codes.TTL = orDur(c.Codes.TTL, 5*time.Minute)
	c.Codes.EmailTTL = orDur(c.Codes.EmailTTL, c.Codes.TTL)
	c.Codes.Tries = orInt(c.Codes.Tries, 5)
	c.Codes.ResendAfter = orDur(c.Codes.ResendAfter, 30*time.Second)
	c.Codes.KeypadDigits = orInt(c.Codes.KeypadDigits, 2)
	c.Codes.SendTimeout = orDur(c.Codes.SendTimeout, 30*time.Second)
	c.Budget.PerDestinationHour = orInt(c.Budget.PerDestinationHour, 5)
	c.Budget.PerDestinationDay = orInt(c.Budget.PerDestinationDay, 15)
	c.Budget.PendingPerDestinationDay = orInt(c.Budget.PendingPerDestinationDay, 5)
	c.Budget.PerUserDay = orInt(c.Budget.PerUserDay, 20)
	c.Budget.GlobalPerMinute = orInt(c.Budget.GlobalPerMinute, 1000)
	c.PendingTTL = orDur(c.PendingTTL, 15*time.Minute)
	c.MaxPending = orInt(c.MaxPending, 3)
	c.StoreTimeout = orDur(c.StoreTimeout, 10*time.Second)
	return c
}

func (c Config) validate() error {
	checks := []struct {
		ok     bool
		field  string
		reason string
	}{
		{c.Store != nil, "Store", "a store is required"},
		// A code sent to the account address passes a step-up only for
		// the session that entered it: there is no stored enrollment to
		// remember it by.
		{c.AccountEmails == nil || c.Policy.StepUpGrants, "AccountEmails", "needs Policy.StepUpGrants"},
		{c.Lockout.Limit >= 1 && c.Lockout.Limit <= 100, "Lockout.Limit", "must be 1 to 100"},
		{c.Lockout.Duration > 0, "Lockout.Duration", "must be positive"},
		{c.Lockout.MaxDuration >= c.Lockout.Duration, "Lockout.MaxDuration", "must not be below Duration"},
		{c.Codes.Digits >= 4 && c.Codes.Digits <= 10, "Codes.Digits", "must be 4 to 10"},
		{c.Codes.TTL > 0 && c.Codes.TTL <= 10*time.Minute, "Codes.TTL", "must be positive and at most 10 minutes"},
		{c.Codes.EmailTTL > 0 && c.Codes.EmailTTL <= time.Hour, "Codes.EmailTTL", "must be positive and at most one hour"},
		{c.Codes.Tries >= 1 && c.Codes.Tries <= 10, "Codes.Tries", "must be 1 to 10"},
		{c.Codes.ResendAfter > 0, "Codes.ResendAfter", "must be positive"},
		{c.Codes.KeypadDigits >= 1 && c.Codes.KeypadDigits <= 6, "Codes.KeypadDigits", "must be 1 to 6"},
		{c.Codes.SendTimeout > 0 && c.Codes.SendTimeout <= 5*time.Minute, "Codes.SendTimeout", "must be positive and at most 5 minutes"},
		{c.PendingTTL > 0 && c.PendingTTL <= 24*time.Hour, "PendingTTL", "must be positive and at most 24 hours"},
		{c.MaxPending >= 1 && c.MaxPending <= 20, "MaxPending", "must be 1 to 20"},
		{c.StoreTimeout > 0 && c.StoreTimeout <= 10*time.Minute, "StoreTimeout", "must be positive and at most 10 minutes"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return &ConfigError{Field: ch.field, Reason: ch.reason}
		}
	}
	return nil
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orDur(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}
