package passkey

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/twostep/twostep/factor"
)

// Assertion is a begun login ceremony.
type Assertion struct {
	// Options is the JSON for navigator.credentials.get: an object whose
	// member publicKey holds PublicKeyCredentialRequestOptions, binary
	// values in base64url.
	Options json.RawMessage
}

// ErrNoPasskey means the user has no registered passkey to log in with.
var ErrNoPasskey = fmt.Errorf("passkey: no passkey registered: %w", factor.ErrNotFound)

// BeginLogin begins a login with a passkey as the second step for a user
// whom the host has identified (by a password, say). The options allow only
// the user's registered passkeys and ask for user verification as
// Config.SecondFactorVerification says. The ceremony is kept with the
// user's passkey enrollments, must be finished within Config.CeremonyTTL,
// and replaces any login ceremony the user began before.
func (p *Passkeys) BeginLogin(ctx context.Context, userID string, now time.Time) (*Assertion, error) {
	if err := p.x.CheckUserID(userID); err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		a, err := p.beginLogin(ctx, userID, now)
		if lost(err) && try < 3 {
			continue // a concurrent login changed an enrollment: read again
		}
		return a, err
	}
}

func (p *Passkeys) beginLogin(ctx context.Context, userID string, now time.Time) (*Assertion, error) {
	k, err := p.passkeys(ctx, userID, true)
	if err != nil {
		return nil, err
	}
	if len(k.all) == 0 {
		return nil, ErrNoPasskey
	}
	u := &user{handle: k.handle(), name: userID, displayName: userID, creds: k.credentials()}
	assertion, session, err := p.wa.BeginLogin(u, webauthn.WithUserVerification(protocol.UserVerificationRequirement(p.cfg.SecondFactorVerification)))
	if err != nil {
		return nil, fmt.Errorf("passkey: begin login: %w", err)
	}
	c := &ceremony{Type: ceremonyLogin, Session: *session, ExpiresAt: now.Add(p.cfg.CeremonyTTL)}
	for i, e := range k.all {
		k.states[i].Ceremony = c
		if err := writeState(e, k.states[i]); err != nil {
			return nil, err
		}
		if err := p.x.Store().UpdateEnrollment(ctx, e); err != nil {
			return nil, fmt.Errorf("passkey: save ceremony: %w", err)
		}
	}
	opts, err := options(assertion)
	if err != nil {
		return nil, err
	}
	return &Assertion{Options: opts}, nil
}

// FinishLogin checks the browser's response to a login begun by BeginLogin
// (the JSON of the PublicKeyCredential, binary values in base64url). It is
// an attempt like any other second step: counted against the user before
// the assertion is checked, refused with a *factor.LockedError while the
// user is locked, and on success it resets the user's failures, updates the
// passkey's signature counter, flags and last use, and emits
// factor.EventVerified.
//
// A response that does not parse is an *factor.InputError and counts
// nothing. Every other refusal (a wrong origin or relying party, a
// signature that does not verify, a credential of another user, a
// ceremony expired or already finished, user verification required but
// absent, a signature counter that went back with
// Config.RefuseSignCountRegression) is factor.ErrInvalidCode. Of
// concurrent finishes of one ceremony exactly one can succeed.
func (p *Passkeys) FinishLogin(ctx context.Context, userID string, response []byte, now time.Time) (factor.Result, error) {
	if err := p.x.CheckUserID(userID); err != nil {
		return factor.Result{}, err
	}
	parsed, err := parseAssertion(response)
	if err != nil {
		return factor.Result{}, err
	}
	var e *factor.Enrollment
	err = p.x.Guard(ctx, userID, now, func() error {
		e, err = p.login(ctx, userID, parsed, now)
		return err
	})
	if err != nil {
		return factor.Result{}, err
	}
	p.x.Emit(ctx, factor.Event{Type: factor.EventVerified, UserID: userID, EnrollmentID: e.ID, Kind: Kind, Time: now, Actor: userID})
	grant, err := p.x.StepUpGrant(userID, now)
	if err != nil {
		return factor.Result{}, err
	}
	return factor.Result{EnrollmentID: e.ID, Kind: Kind, StepUp: grant}, nil
}

// parseAssertion parses a login response, refusing what does not parse
// as an *factor.InputError.
func parseAssertion(response []byte) (*protocol.ParsedCredentialAssertionData, error) {
	if len(response) > maxResponse {
		return nil, malformed("too long")
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, malformed("not a login response")
	}
	return parsed, nil
}

// login checks a second-step assertion against the ceremony kept with the
// credential's enrollment and saves the result with compare-and-swap, which
// also ends the ceremony.
func (p *Passkeys) login(ctx context.Context, userID string, parsed *protocol.ParsedCredentialAssertionData, now time.Time) (*factor.Enrollment, error) {
	k, err := p.passkeys(ctx, userID, true)
	if err != nil {
		return nil, err
	}
	i := k.find(parsed.RawID)
	if i < 0 {
		return nil, fmt.Errorf("%w: unknown credential", factor.ErrInvalidCode)
	}
	e, st := k.all[i], k.states[i]
	c := st.Ceremony
	if c == nil || c.Type != ceremonyLogin || !now.Before(c.ExpiresAt) {
		return nil, fmt.Errorf("%w: no login ceremony", factor.ErrInvalidCode)
	}
	session := c.Session
	session.Expires = time.Time{} // expiry is checked above, by the server's clock
	if err := p.validate(ctx, e, st, &user{handle: st.Handle, creds: k.credentials()}, session, parsed, now); err != nil {
		return nil, err
	}
	st.Ceremony = nil
	e.LastUsedAt = now
	if err := writeState(e, st); err != nil {
		return nil, err
	}
	if err := p.x.Store().UpdateEnrollment(ctx, e); lost(err) {
		return nil, fmt.Errorf("%w: ceremony already finished", factor.ErrInvalidCode)
	} else if err != nil {
		return nil, fmt.Errorf("passkey: save enrollment: %w", err)
	}
	p.endCeremonies(ctx, k, i)
	return e, nil
}

// endCeremonies ends the login ceremony kept with the user's other
// passkeys, so that it cannot be finished a second time with another of
// them. A lost compare-and-swap is left alone: that enrollment changed,
// and its ceremony is either gone or a newer one.
func (p *Passkeys) endCeremonies(ctx context.Context, k *keys, used int) {
	for i, e := range k.all {
		if i == used || k.states[i].Ceremony == nil {
			continue
		}
		k.states[i].Ceremony = nil
		if writeState(e, k.states[i]) != nil {
			continue
		}
		if err := p.x.Store().UpdateEnrollment(ctx, e); err != nil && !lost(err) {
			p.x.Logger().Warn("twostep: passkey: ending a login ceremony failed", "user", e.UserID, "enrollment", e.ID, "error", err)
		}
	}
}

// validate checks an assertion for the credential that e holds with
// go-webauthn and records the outcome in st: the signature counter, the
// flags, and a change of backup eligibility. A backup eligibility other
// than the stored one is adopted, not refused: iCloud Keychain reports a
// passkey as not eligible until it has synced, and refusing would lock its
// owner out. A counter that went back is recorded as
// EventSignCountRegressed and refused only with
// Config.RefuseSignCountRegression.
func (p *Passkeys) validate(ctx context.Context, e *factor.Enrollment, st *state, u *user, session webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData, now time.Time) error {
	stored := st.Credential
	be := parsed.Response.AuthenticatorData.Flags.HasBackupEligible()
	beChanged := be != stored.BackupEligible
	if beChanged {
		for i := range u.creds {
			if string(u.creds[i].ID) == string(stored.ID) {
				u.creds[i].Flags.BackupEligible = be
			}
		}
	}
	cred, err := p.wa.ValidateLogin(u, session, parsed)
	if err != nil {
		return fmt.Errorf("%w: %s", factor.ErrInvalidCode, reason(err))
	}
	// A counter of zero on both sides is an authenticator without one
	// (synced passkeys); any other counter must go up.
	n := parsed.Response.AuthenticatorData.Counter
	if (n != 0 || stored.SignCount != 0) && n <= stored.SignCount {
		p.x.Emit(ctx, factor.Event{Type: EventSignCountRegressed, UserID: e.UserID, EnrollmentID: e.ID, Kind: Kind, Time: now, Actor: e.UserID})
		if p.cfg.RefuseSignCountRegression {
			return fmt.Errorf("%w: signature counter went back", factor.ErrInvalidCode)
		}
	}
	if beChanged {
		stored.BackupChangedAt = now
		p.x.Emit(ctx, factor.Event{Type: EventBackupEligibilityChanged, UserID: e.UserID, EnrollmentID: e.ID, Kind: Kind, Time: now, Actor: e.UserID})
	}
	stored.SignCount, stored.CloneWarning = cred.Authenticator.SignCount, cred.Authenticator.CloneWarning
	stored.UserPresent, stored.UserVerified = cred.Flags.UserPresent, cred.Flags.UserVerified
	stored.BackupEligible, stored.BackupState = cred.Flags.BackupEligible, cred.Flags.BackupState
	return nil
}

// webauthnUV is the login option asking for user verification uv.
func webauthnUV(uv string) webauthn.LoginOption {
	return webauthn.WithUserVerification(protocol.UserVerificationRequirement(uv))
}
