package factor

import (
	"fmt"
	"time"
)

// Policy is the account policy around two-step verification: when it is
// optional and when required, the grace period, activation codes, which
// kinds are offered and in what order. The zero Policy makes two-step
// verification optional forever, offers every configured kind and needs no
// activation code.
type Policy struct {
	// RequiredFrom is when two-step verification becomes mandatory. Zero
	// means never, unless Required is set.
	RequiredFrom time.Time
	// Required makes two-step verification mandatory from the start.
	Required bool
	// GraceDays is how many days a user may still skip setting it up once
	// it is required, counted from the first time the user is asked.
	// Zero means no skipping. At most 365.
	GraceDays int
	// RequireActivation asks for an activation code before a user's first
	// enrollment and again after an admin reset.
	RequireActivation bool
	// ActivationTTL is how long an activation code stays valid. Zero means
	// 21 days; at most 90 days.
	ActivationTTL time.Duration
	// Kinds lists the kinds on offer in the order a login page should offer
	// them. Empty means every configured kind, authenticator apps first,
	// then voice, SMS and email: SMS costs money.
	Kinds []Kind
	// StepUpWindow is how recent a second step must be to add, replace or
	// remove an enrollment or turn two-step verification off, and how long
	// a step-up grant lasts. Zero means 5 minutes; at most one hour.
	StepUpWindow time.Duration
	// StepUpGrants binds step-up to the host's session: a sensitive change
	// needs the step-up grant that Verify returned to that session
	// (Result.StepUp). Without it the rule is per user: any of the user's
	// enrollments passed a second step within StepUpWindow, in any
	// session.
	StepUpGrants bool
	// ChangeByEmail, when its URL is set, has every change of phone
	// number confirmed by a link mailed to the account's address before
	// any code goes to the new number (see ChangeByEmail).
	ChangeByEmail ChangeByEmail
}

// defaultOrder is the order of kinds when Policy.Kinds is empty.
var defaultOrder = [...]Kind{KindTOTP, KindVoice, KindSMS, KindEmail}

func (p Policy) withDefaults(configured []Kind) Policy {
	p.ActivationTTL = orDur(p.ActivationTTL, 21*24*time.Hour)
	p.StepUpWindow = orDur(p.StepUpWindow, 5*time.Minute)
	if len(p.Kinds) > 0 {
		p.Kinds = append([]Kind(nil), p.Kinds...)
		return p
	}
	seen := make(map[Kind]bool)
	for _, k := range defaultOrder {
		for _, c := range configured {
			if c == k {
				p.Kinds, seen[k] = append(p.Kinds, k), true
			}
		}
	}
	for _, c := range configured {
		if !seen[c] {
			p.Kinds = append(p.Kinds, c)
		}
	}
	return p
}

func (p Policy) validate(configured map[Kind]Factor) error {
	switch {
	case p.GraceDays < 0 || p.GraceDays > 365:
		return &ConfigError{Field: "Policy.GraceDays", Reason: "must be 0 to 365"}
	case p.ActivationTTL < 0 || p.ActivationTTL > 90*24*time.Hour:
		return &ConfigError{Field: "Policy.ActivationTTL", Reason: "must be positive and at most 90 days"}
	case p.StepUpWindow < 0 || p.StepUpWindow > time.Hour:
		return &ConfigError{Field: "Policy.StepUpWindow", Reason: "must be positive and at most one hour"}
	}
	for i, k := range p.Kinds {
		if configured[k] == nil {
			return &ConfigError{Field: fmt.Sprintf("Policy.Kinds[%d]", i), Reason: "kind " + string(k) + " is not configured"}
		}
	}
	return nil
}

// RequiredAt reports whether two-step verification is mandatory at now.
func (p Policy) RequiredAt(now time.Time) bool {
	return p.Required || (!p.RequiredFrom.IsZero() && !now.Before(p.RequiredFrom))
}

// rank is k's place in the order kinds are offered in; kinds not on
// offer come last.
func (p Policy) rank(k Kind) int {
	for i, a := range p.Kinds {
		if a == k {
			return i
		}
	}
	return len(p.Kinds)
}

// allows reports whether the policy offers kind k.
func (p Policy) allows(k Kind) bool {
	for _, a := range p.Kinds {
		if a == k {
			return true
		}
	}
	return false
}
