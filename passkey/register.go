package passkey

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/twostep/twostep/factor"
)

// RegistrationRequest asks to register a new passkey.
type RegistrationRequest struct {
	// UserID is the host's identifier of the user. Required.
	UserID string
	// Label is the name the user chose for the passkey, such as "Laptop".
	Label string
	// UserName is the account name the authenticator shows, such as an
	// email address. Default: UserID. It is not the user handle, which is
	// random.
	UserName string
	// DisplayName is the user's name as the authenticator shows it.
	// Default: UserName.
	DisplayName string
	// StepUp is the step-up grant of the host's session
	// (factor.Result.StepUp), needed when the user has a confirmed
	// enrollment already: adding a passkey is a sensitive change.
	StepUp string
}

// Registration is a begun registration ceremony.
type Registration struct {
	// EnrollmentID is the pending enrollment the ceremony registers; pass
	// it to FinishRegistration.
	EnrollmentID string
	// Options is the JSON for navigator.credentials.create: an object
	// whose member publicKey holds PublicKeyCredentialCreationOptions,
	// binary values in base64url.
	Options json.RawMessage
}

// BeginRegistration begins registering a passkey for req.UserID. It creates
// a pending enrollment through Manager.Enroll, so the Manager's policy
// applies (the kinds on offer, activation codes, a recent second step
// before adding a method) and its errors are returned as they are. The
// options exclude the user's registered passkeys and prefer a discoverable
// credential; the ceremony must be finished within Config.CeremonyTTL.
func (p *Passkeys) BeginRegistration(ctx context.Context, req RegistrationRequest, now time.Time) (*Registration, error) {
	if err := p.x.CheckUserID(req.UserID); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"user name", req.UserName}, {"display name", req.DisplayName}} {
		if err := p.x.CheckText(f[0], f[1], 255); err != nil {
			return nil, err
		}
	}
	k, err := p.passkeys(ctx, req.UserID, false)
	if err != nil {
		return nil, err
	}
	st := &state{Handle: k.handle()}
	if st.Handle == nil {
		if st.Handle, err = p.newHandle(); err != nil {
			return nil, err
		}
	}
	pending := &factor.Enrollment{}
	if err := writeState(pending, st); err != nil {
		return nil, err
	}
	enrolled, err := p.m.Enroll(ctx, factor.EnrollRequest{UserID: req.UserID, Kind: Kind, Label: req.Label, State: pending.State, StepUp: req.StepUp}, now)
	if err != nil {
		return nil, err
	}
	u := &user{handle: st.Handle, name: req.UserName, displayName: req.DisplayName, creds: k.credentials()}
	if u.name == "" {
		u.name = req.UserID
	}
	if u.displayName == "" {
		u.displayName = u.name
	}
	creation, session, err := p.wa.BeginRegistration(u,
		webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.UserVerificationRequirement(p.cfg.SecondFactorVerification),
		}),
		webauthn.WithConveyancePreference(protocol.ConveyancePreference(p.cfg.Attestation)),
		webauthn.WithExtensions(webauthn.WithExtensionCredProps()),
	)
	if err != nil {
		return nil, fmt.Errorf("passkey: begin registration: %w", err)
	}
	e := &enrolled.Enrollment
	e.Secret = nil
	st.Ceremony = &ceremony{Type: ceremonyRegister, Session: *session, ExpiresAt: now.Add(p.cfg.CeremonyTTL)}
	if err := writeState(e, st); err != nil {
		return nil, err
	}
	if err := p.x.Store().UpdateEnrollment(ctx, e); err != nil {
		return nil, fmt.Errorf("passkey: save ceremony: %w", err)
	}
	opts, err := options(creation)
	if err != nil {
		return nil, err
	}
	return &Registration{EnrollmentID: e.ID, Options: opts}, nil
}

// FinishRegistration verifies the browser's response to a registration
// begun by BeginRegistration (the JSON of the PublicKeyCredential, binary
// values in base64url) and confirms the enrollment with the credential,
// through Manager.Confirm: the confirmation is an audit event, revokes the
// user's trusted devices and may turn two-step verification on
// (Result.Enabled).
//
// A response that does not parse is an *factor.InputError and counts
// nothing. Every other refusal (wrong origin or relying party, a ceremony
// expired, already finished or of another user, an authenticator model not
// allowed, user verification required but absent) is
// factor.ErrInvalidCode, counted as one attempt against the user like a
// wrong code; the ceremony is single use even under concurrent finishes.
func (p *Passkeys) FinishRegistration(ctx context.Context, userID, enrollmentID string, response []byte, now time.Time) (factor.Result, error) {
	if err := p.x.CheckUserID(userID); err != nil {
		return factor.Result{}, err
	}
	if err := p.x.CheckText("enrollment", enrollmentID, 64); err != nil || enrollmentID == "" {
		return factor.Result{}, &factor.InputError{Field: "enrollment", Reason: "must be an enrollment ID"}
	}
	if len(response) > maxResponse {
		return factor.Result{}, malformed("too long")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return factor.Result{}, malformed("not a registration response")
	}
	var token string
	err = p.x.Guard(ctx, userID, now, func() error {
		token, err = p.register(ctx, userID, enrollmentID, parsed, now)
		return err
	})
	if err != nil {
		return factor.Result{}, err
	}
	return p.m.Confirm(ctx, factor.Answer{UserID: userID, EnrollmentID: enrollmentID, Code: token}, now)
}

// register verifies the response against the ceremony stored in the
// pending enrollment and, in one compare-and-swap that also ends the
// ceremony, stores the credential and the hash of a one-time token for
// Manager.Confirm, which it returns.
func (p *Passkeys) register(ctx context.Context, userID, enrollmentID string, parsed *protocol.ParsedCredentialCreationData, now time.Time) (string, error) {
	e, err := p.x.Store().GetEnrollment(ctx, userID, enrollmentID)
	if lost(err) {
		return "", factor.ErrInvalidCode
	}
	if err != nil {
		return "", fmt.Errorf("passkey: get enrollment: %w", err)
	}
	if e.Kind != Kind || !e.Pending(now) {
		return "", factor.ErrInvalidCode
	}
	st, err := readState(e)
	if err != nil {
		return "", err
	}
	c := st.Ceremony
	if c == nil || c.Type != ceremonyRegister || !now.Before(c.ExpiresAt) {
		return "", factor.ErrInvalidCode
	}
	k, err := p.passkeys(ctx, userID, true)
	if err != nil {
		return "", err
	}
	u := &user{handle: st.Handle, creds: k.credentials()}
	session := c.Session
	session.Expires = time.Time{} // expiry is checked above, by the server's clock
	cred, err := p.wa.CreateCredential(u, session, parsed)
	if err != nil {
		return "", fmt.Errorf("%w: %s", factor.ErrInvalidCode, reason(err))
	}
	if k.find(cred.ID) >= 0 {
		return "", fmt.Errorf("%w: credential already registered", factor.ErrInvalidCode)
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(p.x.Rand(), raw); err != nil {
		return "", fmt.Errorf("passkey: random: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	st.Ceremony, st.Credential, st.ConfirmHash = nil, fromWebAuthn(cred), sum[:]
	if err := writeState(e, st); err != nil {
		return "", err
	}
	if err := p.x.Store().UpdateEnrollment(ctx, e); lost(err) {
		return "", factor.ErrInvalidCode
	} else if err != nil {
		return "", fmt.Errorf("passkey: save credential: %w", err)
	}
	if hs, ok := p.x.Store().(factor.HandleStore); ok {
		if err := hs.PutHandle(ctx, userID, st.Handle); err != nil {
			return "", fmt.Errorf("passkey: save user handle: %w", err)
		}
	}
	return token, nil
}

// reason returns what go-webauthn says was wrong, without any of the
// response's data: the error's type and details, not its debugging info.
func reason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Type + ": " + pe.Details
	}
	return "verification failed"
}
