package trust

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
)

// Defaults and limits of a Config.
const (
	// DefaultCookieName is the cookie SetCookie sets unless
	// Config.CookieName says otherwise.
	DefaultCookieName = "__Host-twostep-device"
	defaultMax        = 30 * 24 * time.Hour
	// defaultMaxDevices is how many devices a user may have trusted at
	// once unless Config.MaxDevices says otherwise.
	defaultMaxDevices = 10
	// maxMaxDevices bounds Config.MaxDevices.
	maxMaxDevices = 1000
	// maxMax is the longest lifetime browsers give a cookie (400 days).
	maxMax = 400 * 24 * time.Hour
)

// defaultDurations are the choices a login page offers: 12 hours, a day, three days
// and a week.
func defaultDurations() []time.Duration {
	return []time.Duration{12 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour}
}

// Config configures Devices. The zero Config offers 12 hours, 1 day, 3 days
// and 1 week, allows at most 30 days, trusts at most 10 devices per user,
// and names the cookie __Host-twostep-device.
type Config struct {
	// Durations are how long a user may choose to be remembered, in the
	// order a page should offer them. Remember refuses any other duration.
	// Empty means 12 hours, 1 day, 3 days and 1 week. Each must be at
	// least one second and at most Max.
	Durations []time.Duration
	// Max is the longest a device may be remembered. Zero means 30 days;
	// at most 400 days, the longest cookie lifetime browsers allow.
	Max time.Duration
	// CookieName is the name of the cookie that carries the token. Empty
	// means DefaultCookieName. It must begin with "__Host-", which makes
	// browsers insist on Secure, Path=/ and no Domain.
	CookieName string
	// MaxDevices is how many devices one user may have trusted at once.
	// When Remember trusts one more, the user's oldest devices (by
	// CreatedAt) are no longer trusted, so that a user who clears cookies
	// often does not pile up devices. Zero means 10; at most 1000.
	MaxDevices int
}

func (c Config) withDefaults() Config {
	if len(c.Durations) == 0 {
		c.Durations = defaultDurations()
	} else {
		c.Durations = slices.Clone(c.Durations)
	}
	if c.Max == 0 {
		c.Max = defaultMax
	}
	if c.CookieName == "" {
		c.CookieName = DefaultCookieName
	}
	if c.MaxDevices == 0 {
		c.MaxDevices = defaultMaxDevices
	}
	return c
}

func (c Config) validate() error {
	if c.Max < time.Second || c.Max > maxMax {
		return &factor.ConfigError{Field: "trust.Config.Max", Reason: "must be positive and at most 400 days"}
	}
	for i, d := range c.Durations {
		if d < time.Second || d > c.Max {
			field := fmt.Sprintf("trust.Config.Durations[%d]", i)
			return &factor.ConfigError{Field: field, Reason: "must be at least one second and at most Max (" + c.Max.String() + ")"}
		}
	}
	if c.MaxDevices < 1 || c.MaxDevices > maxMaxDevices {
		return &factor.ConfigError{Field: "trust.Config.MaxDevices", Reason: "must be positive and at most 1000"}
	}
	if !strings.HasPrefix(c.CookieName, "__Host-") {
		return &factor.ConfigError{Field: "trust.Config.CookieName", Reason: `must begin with "__Host-"`}
	}
	if err := (&http.Cookie{Name: c.CookieName, Value: "x"}).Valid(); err != nil {
		return &factor.ConfigError{Field: "trust.Config.CookieName", Reason: "not a valid cookie name"}
	}
	return nil
}
