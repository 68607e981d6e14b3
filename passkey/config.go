package passkey

import (
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/twostep/twostep/factor"
)

// The user verification a ceremony asks of the authenticator: a PIN or
// biometric on top of presence (a touch).
const (
	VerificationDiscouraged = "discouraged"
	VerificationPreferred   = "preferred"
	VerificationRequired    = "required"
)

// What Config.Attestation may ask of the authenticator at registration.
const (
	AttestationNone     = "none"
	AttestationIndirect = "indirect"
	AttestationDirect   = "direct"
)

// Config configures passkeys. RPID and Origins are required; the other zero
// values are useful defaults.
type Config struct {
	// RPID is the relying party ID: the domain passkeys are bound to, such
	// as "example.com". A passkey works on that domain and its
	// subdomains, and nowhere else.
	RPID string
	// DisplayName is the name of the service the browser shows, such as
	// "Example". Default: RPID.
	DisplayName string
	// Origins are the origins the browser may run the ceremonies from,
	// such as "https://login.example.com". At least one is required.
	Origins []string
	// SecondFactorVerification is the user verification asked for when a
	// passkey is the second step after a password: VerificationDiscouraged
	// (the default: a touch is enough, the password was the first
	// factor), VerificationPreferred or VerificationRequired. It also
	// applies to registration.
	SecondFactorVerification string
	// Passwordless turns on passwordless login (BeginPasswordless,
	// FinishPasswordless), which always requires user verification. It
	// needs a Store that implements factor.HandleStore.
	Passwordless bool
	// Attestation is what the authenticator is asked to say about its
	// make and model: AttestationNone (the default), AttestationIndirect
	// or AttestationDirect.
	Attestation string
	// AllowedAAGUIDs, when not empty, limits registration to these
	// authenticator models, by AAGUID ("cb69481e-8ff7-4039-93ec-
	// 0a2729a154a8"). Authenticators that name no model (an all-zero
	// AAGUID, as with AttestationNone) are still accepted; ask for
	// AttestationDirect to make the list binding.
	AllowedAAGUIDs []string
	// RefuseSignCountRegression refuses a login whose signature counter
	// did not advance past the stored one, a sign of a cloned
	// authenticator. By default such a login passes and is recorded as
	// EventSignCountRegressed.
	RefuseSignCountRegression bool
	// CeremonyTTL is how long a begun ceremony can be finished. Default
	// and maximum: 5 minutes.
	CeremonyTTL time.Duration
	// PasswordlessLimit bounds the passwordless attempts, failed or not,
	// per client (PasswordlessRequest.Client) and per credential within
	// PasswordlessWindow. Default: 20.
	PasswordlessLimit int
	// PasswordlessWindow is the window of PasswordlessLimit. Default: 15
	// minutes.
	PasswordlessWindow time.Duration
}

// maxCeremonyTTL bounds Config.CeremonyTTL.
const maxCeremonyTTL = 5 * time.Minute

func (c Config) withDefaults() Config {
	if c.DisplayName == "" {
		c.DisplayName = c.RPID
	}
	if c.SecondFactorVerification == "" {
		c.SecondFactorVerification = VerificationDiscouraged
	}
	if c.Attestation == "" {
		c.Attestation = AttestationNone
	}
	if c.CeremonyTTL == 0 {
		c.CeremonyTTL = maxCeremonyTTL
	}
	if c.PasswordlessLimit == 0 {
		c.PasswordlessLimit = 20
	}
	if c.PasswordlessWindow == 0 {
		c.PasswordlessWindow = 15 * time.Minute
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.RPID == "":
		return &factor.ConfigError{Field: "RPID", Reason: "required"}
	case len(c.Origins) == 0:
		return &factor.ConfigError{Field: "Origins", Reason: "at least one origin is required"}
	case c.CeremonyTTL < 0 || c.CeremonyTTL > maxCeremonyTTL:
		return &factor.ConfigError{Field: "CeremonyTTL", Reason: "must be at most 5 minutes"}
	case c.PasswordlessLimit < 0 || c.PasswordlessWindow < 0:
		return &factor.ConfigError{Field: "PasswordlessLimit", Reason: "must not be negative"}
	}
	switch c.SecondFactorVerification {
	case VerificationDiscouraged, VerificationPreferred, VerificationRequired:
	default:
		return &factor.ConfigError{Field: "SecondFactorVerification", Reason: "must be discouraged, preferred or required"}
	}
	switch c.Attestation {
	case AttestationNone, AttestationIndirect, AttestationDirect:
	default:
		return &factor.ConfigError{Field: "Attestation", Reason: "must be none, indirect or direct"}
	}
	return nil
}

// webauthnConfig translates c into go-webauthn's configuration.
func (c Config) webauthnConfig() (*webauthn.Config, error) {
	wc := &webauthn.Config{
		RPID:                  c.RPID,
		RPDisplayName:         c.DisplayName,
		RPOrigins:             c.Origins,
		AttestationPreference: protocol.ConveyancePreference(c.Attestation),
	}
	if len(c.AllowedAAGUIDs) > 0 {
		wc.Filtering = &webauthn.FilteringConfig{}
		for _, s := range c.AllowedAAGUIDs {
			id, err := uuid.Parse(s)
			if err != nil {
				return nil, &factor.ConfigError{Field: "AllowedAAGUIDs", Reason: fmt.Sprintf("%q is not a UUID", s)}
			}
			wc.Filtering.PermittedAAGUIDs = append(wc.Filtering.PermittedAAGUIDs, id)
		}
	}
	return wc, nil
}
