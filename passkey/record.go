package passkey

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/twostep/twostep/factor"
)

// state is what a passkey enrollment keeps in factor.Enrollment.State, as
// JSON. None of it is secret: a WebAuthn credential is a public key, and a
// challenge is sent to the browser. The format is twostep's own, so that an
// upgrade of go-webauthn cannot change what is stored, except for the
// ceremony's session data, which is stored as go-webauthn encodes it so
// that no field it needs is ever left out.
type state struct {
	// Handle is the user handle: random, the same for all of the user's
	// passkeys, never the host's user ID.
	Handle []byte `json:"handle"`
	// Credential is the registered credential; nil while pending.
	Credential *credential `json:"credential,omitempty"`
	// Ceremony is the registration or login ceremony under way, if any.
	Ceremony *ceremony `json:"ceremony,omitempty"`
	// ConfirmHash is the SHA-256 of the one-time token with which a
	// verified registration confirms the enrollment through
	// Manager.Confirm; empty otherwise.
	ConfirmHash []byte `json:"confirm,omitempty"`
	// Used lists the passwordless challenges this credential answered
	// that have not expired yet, so that none is accepted twice.
	Used []usedChallenge `json:"used,omitempty"`
}

// ceremony is a begun registration or login: go-webauthn's session data,
// its expiry by the server's clock, and what kind of ceremony it is.
type ceremony struct {
	Type      string               `json:"type"`
	Session   webauthn.SessionData `json:"session"`
	ExpiresAt time.Time            `json:"expires"`
}

// The types of ceremony.
const (
	ceremonyRegister = "register"
	ceremonyLogin    = "login"
)

// usedChallenge is a passwordless challenge answered by a credential.
type usedChallenge struct {
	Challenge string    `json:"c"`
	ExpiresAt time.Time `json:"exp"`
}

// credential is a registered WebAuthn credential.
type credential struct {
	ID                []byte    `json:"id"`
	PublicKey         []byte    `json:"public_key"`
	Algorithm         int64     `json:"alg"`
	AttestationType   string    `json:"attestation_type,omitempty"`
	AttestationFormat string    `json:"attestation_format,omitempty"`
	AAGUID            []byte    `json:"aaguid,omitempty"`
	SignCount         uint32    `json:"sign_count"`
	CloneWarning      bool      `json:"clone_warning,omitempty"`
	Transports        []string  `json:"transports,omitempty"`
	Attachment        string    `json:"attachment,omitempty"`
	UserPresent       bool      `json:"up"`
	UserVerified      bool      `json:"uv"`
	BackupEligible    bool      `json:"be"`
	BackupState       bool      `json:"bs"`
	Discoverable      *bool     `json:"discoverable,omitempty"`
	BackupChangedAt   time.Time `json:"be_changed,omitzero"`
}

func fromWebAuthn(c *webauthn.Credential) *credential {
	out := &credential{
		ID:                c.ID,
		PublicKey:         c.PublicKey,
		Algorithm:         c.Attestation.PublicKeyAlgorithm,
		AttestationType:   c.AttestationType,
		AttestationFormat: c.AttestationFormat,
		AAGUID:            c.Authenticator.AAGUID,
		SignCount:         c.Authenticator.SignCount,
		CloneWarning:      c.Authenticator.CloneWarning,
		Attachment:        string(c.Authenticator.Attachment),
		UserPresent:       c.Flags.UserPresent,
		UserVerified:      c.Flags.UserVerified,
		BackupEligible:    c.Flags.BackupEligible,
		BackupState:       c.Flags.BackupState,
	}
	for _, t := range c.Transport {
		out.Transports = append(out.Transports, string(t))
	}
	if c.Extensions.RK != nil {
		rk := *c.Extensions.RK
		out.Discoverable = &rk
	}
	return out
}

// webAuthn returns c as go-webauthn's credential, for a login ceremony.
func (c *credential) webAuthn() webauthn.Credential {
	out := webauthn.Credential{
		ID:                c.ID,
		PublicKey:         c.PublicKey,
		AttestationType:   c.AttestationType,
		AttestationFormat: c.AttestationFormat,
		Flags: webauthn.CredentialFlags{
			UserPresent:    c.UserPresent,
			UserVerified:   c.UserVerified,
			BackupEligible: c.BackupEligible,
			BackupState:    c.BackupState,
		},
		Authenticator: webauthn.Authenticator{
			AAGUID:       c.AAGUID,
			SignCount:    c.SignCount,
			CloneWarning: c.CloneWarning,
			Attachment:   protocol.AuthenticatorAttachment(c.Attachment),
		},
	}
	out.Attestation.PublicKeyAlgorithm = c.Algorithm
	for _, t := range c.Transports {
		out.Transport = append(out.Transport, protocol.AuthenticatorTransport(t))
	}
	return out
}

// readState decodes e's state. A passkey enrollment whose state does not
// decode is an operational error, never a wrong answer.
func readState(e *factor.Enrollment) (*state, error) {
	var st state
	if err := json.Unmarshal(e.State, &st); err != nil {
		return nil, fmt.Errorf("passkey: enrollment %s: state: %w", e.ID, err)
	}
	return &st, nil
}

// writeState encodes st into e.State.
func writeState(e *factor.Enrollment, st *state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("passkey: enrollment %s: state: %w", e.ID, err)
	}
	e.State = b
	return nil
}
