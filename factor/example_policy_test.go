package factor_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/totp"
)

// A deployment where two-step verification becomes mandatory on 1 July,
// with 14 days of grace and an activation code from the service desk
// before the first enrolment. This is the README's "Policy" snippet, with
// the errors checked.
func Example_policy() {
	ctx := context.Background()
	now := time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC)
	app, err := totp.New(totp.Config{Issuer: "Example"})
	if err != nil {
		panic(err)
	}
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Keys:    []factor.ServerKey{{ID: "2026-11", Secret: []byte("an example secret of 32 bytes or more")}},
		Factors: []factor.Factor{app},
		Policy: factor.Policy{
			RequiredFrom:      time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), // optional before, mandatory after
			GraceDays:         14,                                          // "you can skip for N more days", counted from the first Skip
			RequireActivation: true,                                        // an activation code (valid 21 days) before the first enrolment
		},
	})
	if err != nil {
		panic(err)
	}

	st, err := m.Status(ctx, factor.StatusRequest{UserID: "alice"}, now) // changes nothing
	if err != nil {
		panic(err)
	}
	// st.Enabled, st.Required, st.GraceDaysLeft, st.CanSkip, st.Offer (the primary first, then policy order),
	// st.NeedsActivation, st.RecoveryCodesLeft, st.DeviceTrusted
	fmt.Println("required:", st.Required, "grace days:", st.GraceDaysLeft, "activation first:", st.NeedsActivation)
	err = m.Skip(ctx, "alice", now) // not today: the grace period starts at the first Skip
	fmt.Println("skipped:", err)

	code, err := m.IssueActivationCode(ctx, "alice", "servicedesk", now) // show once
	if err != nil {
		panic(err)
	}
	err = m.Activate(ctx, "alice", code, now) // ErrNoActivationCode, ErrActivationExpired, ErrActivationUsed
	fmt.Println("activated:", err)

	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Label: "Phone"}, now)
	if err != nil {
		panic(err)
	}
	key, err := app.Key(e.Secret, "alice@example.com")
	if err != nil {
		panic(err)
	}
	res, err := m.Confirm(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: appCode(key, now)}, now)
	fmt.Println("two-step verification on:", res.Enabled, err)

	list, err := m.Enrollments(ctx, "alice", now) // confirmed and pending, without secrets
	if err != nil {
		panic(err)
	}
	err = m.SetPrimary(ctx, "alice", list[0].ID, now) // the one a login page offers first
	fmt.Println("enrollments:", len(list), "primary:", err)

	err = m.Remove(ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: e.ID}, now) // needs a second step in the last 5 minutes; never the last one while required
	fmt.Println("remove without a fresh second step:", errors.Is(err, factor.ErrStepUpRequired))
	err = m.Disable(ctx, factor.DisableRequest{UserID: "alice"}, now) // "disable with a valid code"; ErrRequired while mandatory
	fmt.Println("disable while mandatory:", errors.Is(err, factor.ErrRequired))
	msg := factor.UserMessage(err, "nl-NL,nl;q=0.9") // Dutch or English text for any error
	fmt.Println(msg)

	err = m.Unlock(ctx, factor.UnlockRequest{UserID: "alice", Actor: "servicedesk", Reason: "called the desk"}, now) // lifts a lock after too many failures
	if err != nil {
		panic(err)
	}
	code, err = m.Reset(ctx, factor.ResetRequest{UserID: "alice", Actor: "admin", Reason: "lost phone", IssueActivationCode: true}, now)
	fmt.Println("reset, new activation code:", len(code), err)
	rows, err := m.Overview(ctx, []string{"alice", "bob"}) // "2FA active: yes/no" for an admin page
	if err != nil {
		panic(err)
	}
	fmt.Println("active:", rows[0].Active, rows[1].Active, "locked:", now.Before(rows[0].LockedUntil))
	removed, err := m.Prune(ctx, now.Add(24*time.Hour)) // on a ticker, every ten minutes: expired codes, devices, counters
	fmt.Println("pruned:", removed > 0, err)
	err = m.Forget(ctx, "alice", "admin", now) // account deleted: nothing of alice is left
	fmt.Println("forgotten:", err)
	// Output:
	// required: true grace days: 14 activation first: true
	// skipped: <nil>
	// activated: <nil>
	// two-step verification on: true <nil>
	// enrollments: 1 primary: <nil>
	// remove without a fresh second step: true
	// disable while mandatory: true
	// Tweestapsverificatie is verplicht: u kunt het niet meer overslaan of uitzetten.
	// reset, new activation code: 14 <nil>
	// active: false false locked: false
	// pruned: true <nil>
	// forgotten: <nil>
}
