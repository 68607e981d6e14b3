package factor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Masker is implemented by factors that can show an address without
// revealing it, such as "+31 6 •••• 5678" for a phone number.
type Masker interface {
	Factor
	// Mask returns a display form of address that hides most of it.
	Mask(address string) string
}

// DeviceChecker answers whether a remember-this-device token is valid for
// the user; *trust.Devices implements it.
type DeviceChecker interface {
	// Check reports whether token makes the device trusted for the user at
	// now. A token that is not valid is false, not an error; an error
	// means the answer could not be found, and Status returns it.
	Check(ctx context.Context, userID, token string, now time.Time) (bool, error)
}

// EnrollmentInfo is one of a user's enrollments as a page shows it: no
// secret and only a masked address.
type EnrollmentInfo struct {
	// ID is the enrollment ID.
	ID string `json:"id"`
	// Kind is the kind of factor.
	Kind Kind `json:"kind"`
	// Label is the user's name for it.
	Label string `json:"label,omitempty"`
	// Masked is the masked address; empty for authenticator apps.
	Masked string `json:"masked,omitempty"`
	// Primary marks the user's primary enrollment, the one a login page
	// offers first. A user has at most one.
	Primary bool `json:"primary"`
	// Confirmed is false for an enrollment still awaiting its first code.
	Confirmed bool `json:"confirmed"`
	// LastUsedAt is when the enrollment last passed a second step.
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Status is everything a login or settings page needs to know about a
// user's two-step verification. In JSON its names are snake_case and zero
// times and empty lists are left out, as in EnrollmentInfo.
type Status struct {
	// Enrollments are the user's confirmed and pending enrollments.
	Enrollments []EnrollmentInfo `json:"enrollments,omitempty"`
	// Enabled reports whether the user has at least one confirmed
	// enrollment, or the account's email address serves as the user's
	// method (AccountEmail): a login page then asks for a second step.
	Enabled bool `json:"enabled"`
	// AccountEmail reports that the user has set up nothing and the
	// account's email address serves as the method (see AccountEmails):
	// Offer holds it alone, under AccountEmailID.
	AccountEmail bool `json:"account_email,omitempty"`
	// Required reports whether policy makes two-step verification
	// mandatory now.
	Required bool `json:"required"`
	// GraceDaysLeft is how many days the user may still skip setting it
	// up; zero when not required, enabled, or out of grace. The grace
	// period starts at the user's first Skip.
	GraceDaysLeft int `json:"grace_days_left"`
	// CanSkip reports whether the user may log in without it now.
	CanSkip bool `json:"can_skip"`
	// Offer lists the confirmed enrollments a login page should offer:
	// the user's primary first, then in policy order. Email is left out once
	// the user has another enrollment, unless Codes.EmailAlongside.
	Offer []EnrollmentInfo `json:"offer,omitempty"`
	// Kinds lists the kinds the user may enrol, in policy order; email
	// only while it is the user's fallback (see Offer).
	Kinds []Kind `json:"kinds,omitempty"`
	// NeedsActivation reports whether the user must present an activation
	// code before enrolling.
	NeedsActivation bool `json:"needs_activation"`
	// RecoveryCodesLeft is how many unused recovery codes the user has.
	RecoveryCodesLeft int `json:"recovery_codes_left"`
	// DeviceTrusted reports whether the given device token is valid.
	DeviceTrusted bool `json:"device_trusted"`
	// LockedUntil is when the user's lock after too many failures ends;
	// zero when the user is not locked at now. Only a store that
	// implements OverviewStore reports it.
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// StatusRequest names the user, and optionally the device, to report on.
type StatusRequest struct {
	// UserID is the user. Required.
	UserID string
	// DeviceToken is the remember-this-device token from the request, if
	// any; Devices checks it.
	DeviceToken string
	// Devices checks DeviceToken; nil reports DeviceTrusted false.
	Devices DeviceChecker
}

// Status reports the user's two-step verification state at now. It
// changes nothing.
func (m *Manager) Status(ctx context.Context, req StatusRequest, now time.Time) (*Status, error) {
	if err := checkUserID(req.UserID); err != nil {
		return nil, err
	}
	list, err := m.Enrollments(ctx, req.UserID, now)
	if err != nil {
		return nil, err
	}
	st := &Status{Required: m.cfg.Policy.RequiredAt(now)}
	noEmail := m.emailBlocked(list)
	for _, k := range m.cfg.Policy.Kinds {
		if k != KindEmail || !noEmail {
			st.Kinds = append(st.Kinds, k)
		}
	}
	for _, e := range list {
		st.Enrollments = append(st.Enrollments, m.info(e))
		st.Enabled = st.Enabled || e.Confirmed
	}
	st.Offer = m.offer(st.Enrollments, noEmail)
	onePrimary(st)
	if !st.Enabled {
		if err := m.offerAccountEmail(ctx, req.UserID, list, st); err != nil {
			return nil, err
		}
	}
	if err := m.fillPolicy(ctx, req.UserID, st, now); err != nil {
		return nil, err
	}
	if st.RecoveryCodesLeft, err = m.store.CountRecoveryCodes(ctx, req.UserID); err != nil {
		return nil, fmt.Errorf("factor: count recovery codes: %w", err)
	}
	if st.LockedUntil, err = m.lockedUntil(ctx, req.UserID, now); err != nil {
		return nil, err
	}
	if req.Devices != nil && req.DeviceToken != "" {
		if st.DeviceTrusted, err = req.Devices.Check(ctx, req.UserID, req.DeviceToken, now); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// offerAccountEmail offers the account's address to a user who has set
// up nothing, when the deployment makes it the implicit method. Email is
// then no longer a kind to enrol: it is the method already.
func (m *Manager) offerAccountEmail(ctx context.Context, userID string, list []*Enrollment, st *Status) error {
	e, err := m.accountEmail(ctx, userID, list)
	if err != nil || e == nil {
		return err
	}
	st.Enabled, st.AccountEmail = true, true
	st.Offer = []EnrollmentInfo{m.info(e)}
	st.Kinds = slices.DeleteFunc(st.Kinds, func(k Kind) bool { return k == KindEmail })
	return nil
}

func (m *Manager) info(e *Enrollment) EnrollmentInfo {
	md := EnrollmentInfo{ID: e.ID, Kind: e.Kind, Label: e.Label, Primary: e.Primary, Confirmed: e.Confirmed, LastUsedAt: e.LastUsedAt}
	if mk, ok := m.factors[e.Kind].(Masker); ok && e.Address != "" {
		md.Masked = mk.Mask(e.Address)
	} else if e.Address != "" {
		md.Masked = Redact(e.Address)
	}
	return md
}

// offer orders the confirmed enrollments for a login page: the user's
// primary first, then by policy kind order, leaving email out when it is
// refused (noEmail).
func (m *Manager) offer(infos []EnrollmentInfo, noEmail bool) []EnrollmentInfo {
	var out []EnrollmentInfo
	for _, md := range infos {
		if md.Confirmed && m.cfg.Policy.allows(md.Kind) && (md.Kind != KindEmail || !noEmail) {
			out = append(out, md)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Primary != out[j].Primary {
			return out[i].Primary
		}
		return m.cfg.Policy.rank(out[i].Kind) < m.cfg.Policy.rank(out[j].Kind)
	})
	return out
}

// hasConfirmed reports whether any of infos is confirmed.
func hasConfirmed(infos []EnrollmentInfo) bool {
	for _, md := range infos {
		if md.Confirmed {
			return true
		}
	}
	return false
}

// onePrimary leaves the primary flag on one enrollment only: the first in
// offer order. Enrollments stored before a user had one primary may have
// one per kind; the next SetPrimary or removal settles them in the store.
func onePrimary(st *Status) {
	keep := ""
	for _, md := range st.Offer {
		if md.Primary {
			keep = md.ID
			break
		}
	}
	for i := range st.Offer {
		st.Offer[i].Primary = st.Offer[i].ID == keep
	}
	for i := range st.Enrollments {
		st.Enrollments[i].Primary = st.Enrollments[i].ID == keep
	}
}

// fillPolicy works out grace days, skipping and activation.
func (m *Manager) fillPolicy(ctx context.Context, userID string, st *Status, now time.Time) error {
	us, err := m.store.GetUserState(ctx, userID)
	if err != nil {
		return fmt.Errorf("factor: user state: %w", err)
	}
	// Like Enroll: an activation code comes before the first stored
	// enrollment, also for a user whose account address serves meanwhile.
	st.NeedsActivation = m.cfg.Policy.RequireActivation && us.ActivatedAt.IsZero() && !hasConfirmed(st.Enrollments)
	if !st.Required {
		st.CanSkip = !st.Enabled
	} else if !st.Enabled {
		st.GraceDaysLeft = graceLeft(us.PromptedAt, m.cfg.Policy.GraceDays, now)
		st.CanSkip = st.GraceDaysLeft > 0
	}
	return nil
}

// markPrompted records the first time a user who must enrol was asked. Of
// two concurrent first prompts the earlier stored one wins.
func (m *Manager) markPrompted(ctx context.Context, us *UserState, now time.Time) (*UserState, error) {
	us.PromptedAt = now
	err := m.store.SaveUserState(ctx, us)
	if errors.Is(err, ErrConflict) {
		us, err = m.store.GetUserState(ctx, us.UserID)
	}
	if err != nil {
		return nil, fmt.Errorf("factor: user state: %w", err)
	}
	return us, nil
}

// graceLeft counts whole days of grace left at now: all of them before
// the first prompt.
func graceLeft(prompted time.Time, days int, now time.Time) int {
	if prompted.IsZero() {
		return days
	}
	left := days - int(now.Sub(prompted)/(24*time.Hour))
	return max(0, min(left, days))
}

// Skip records that the user chose to skip setting up two-step
// verification at this login. While verification is required the user's
// first Skip starts the grace period (Policy.GraceDays); Skip is refused
// with ErrRequired once the grace period is over, and for a user who has
// an enrollment.
func (m *Manager) Skip(ctx context.Context, userID string, now time.Time) error {
	st, err := m.Status(ctx, StatusRequest{UserID: userID}, now)
	if err != nil {
		return err
	}
	if !st.CanSkip {
		return ErrRequired
	}
	if !st.Required {
		return nil
	}
	us, err := m.store.GetUserState(ctx, userID)
	if err != nil {
		return fmt.Errorf("factor: user state: %w", err)
	}
	if us.PromptedAt.IsZero() {
		_, err = m.markPrompted(ctx, us, now)
	}
	return err
}
