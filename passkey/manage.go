package passkey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

// EventRenamed is emitted when a passkey gets a new name. A name is not a
// factor: renaming leaves the user's trusted devices alone and is not a
// change the Manager notifies the user of, but it is recorded.
const EventRenamed factor.EventType = "passkey_renamed"

// maxName is the longest name of a passkey, in bytes: the Manager's limit
// for an enrollment's label.
const maxName = 100

// Info describes one of a user's registered passkeys, for the list in the
// user's settings. None of it is secret.
type Info struct {
	// EnrollmentID is the passkey's enrollment, for Rename and
	// Manager.Remove.
	EnrollmentID string
	// Name is the name the user chose (the enrollment's Label).
	Name string
	// Created is when the passkey was registered.
	Created time.Time
	// LastUsed is when it last passed a login; zero if never.
	LastUsed time.Time
	// BackupEligible reports whether the authenticator may copy the
	// passkey to the user's other devices (a synced passkey, as in a
	// password manager) rather than keep it on one device only, as at its
	// last use.
	BackupEligible bool
	// BackupState reports whether the passkey was backed up, that is
	// synced, at its last use.
	BackupState bool
	// Attachment is how the authenticator was attached at registration:
	// "platform" (built into the device), "cross-platform" (a security
	// key or a phone), or empty when the browser did not say.
	Attachment string
}

// Synced reports whether the passkey is synced to the user's other
// devices: it is backed up by its provider.
func (i Info) Synced() bool { return i.BackupState }

// DeviceBound reports whether the passkey can never leave the
// authenticator that holds it, as with most security keys.
func (i Info) DeviceBound() bool { return !i.BackupEligible }

// List returns the user's registered passkeys, oldest first. Pending
// registrations are left out.
func (p *Passkeys) List(ctx context.Context, userID string) ([]Info, error) {
	if err := p.x.CheckUserID(userID); err != nil {
		return nil, err
	}
	k, err := p.passkeys(ctx, userID, true)
	if err != nil {
		return nil, err
	}
	out := make([]Info, 0, len(k.all))
	for i, e := range k.all {
		c := k.states[i].Credential
		created := e.ConfirmedAt
		if created.IsZero() {
			created = e.CreatedAt
		}
		out = append(out, Info{EnrollmentID: e.ID, Name: e.Label, Created: created, LastUsed: e.LastUsedAt,
			BackupEligible: c.BackupEligible, BackupState: c.BackupState, Attachment: c.Attachment})
	}
	return out, nil
}

// Rename gives the user's registered passkey enrollmentID a new name, as
// the user chose it. A passkey of another user, a pending one, or an
// enrollment of another kind is factor.ErrNotFound; a name that is empty,
// longer than 100 bytes, not valid UTF-8 or holding a control character
// is an *factor.InputError, refused before any store call.
//
// Renaming is recorded as EventRenamed. It is not a change of the user's
// factors, which a name is not: it needs no step-up and does not revoke
// trusted devices.
func (p *Passkeys) Rename(ctx context.Context, userID, enrollmentID, name string, now time.Time) error {
	if err := p.x.CheckUserID(userID); err != nil {
		return err
	}
	if err := p.x.CheckText("enrollment", enrollmentID, 64); err != nil || enrollmentID == "" {
		return &factor.InputError{Field: "enrollment", Reason: "must be an enrollment ID"}
	}
	if err := p.x.CheckText("name", name, maxName); err != nil {
		return err
	}
	if name == "" {
		return &factor.InputError{Field: "name", Reason: "required"}
	}
	for try := 0; ; try++ {
		changed, err := p.rename(ctx, userID, enrollmentID, name)
		if err == nil && changed {
			p.x.Emit(ctx, factor.Event{Type: EventRenamed, UserID: userID, EnrollmentID: enrollmentID, Kind: Kind, Time: now, Actor: userID})
		}
		if errors.Is(err, factor.ErrConflict) && try < 3 {
			continue // a login updated the passkey meanwhile: read it again
		}
		return err
	}
}

// rename stores the new name with compare-and-swap and reports whether the
// name changed.
func (p *Passkeys) rename(ctx context.Context, userID, enrollmentID, name string) (bool, error) {
	e, err := p.x.Store().GetEnrollment(ctx, userID, enrollmentID)
	if err != nil {
		return false, fmt.Errorf("passkey: get enrollment: %w", err)
	}
	if e.Kind != Kind || !e.Confirmed {
		return false, fmt.Errorf("passkey: no such passkey: %w", factor.ErrNotFound)
	}
	if e.Label == name {
		return false, nil
	}
	e.Label = name
	if err := p.x.Store().UpdateEnrollment(ctx, e); err != nil {
		return false, fmt.Errorf("passkey: save name: %w", err)
	}
	return true, nil
}
