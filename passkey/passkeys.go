package passkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/twostep/twostep/factor"
)

// EventSignCountRegressed is emitted when a passkey's signature counter did
// not advance past the stored one: the authenticator may have been cloned.
const EventSignCountRegressed factor.EventType = "passkey_sign_count_regressed"

// EventBackupEligibilityChanged is emitted when an authenticator reports a
// backup eligibility other than at registration, as iCloud Keychain does
// once a passkey has synced; the login passes and the new value is kept.
const EventBackupEligibilityChanged factor.EventType = "passkey_backup_eligibility_changed"

// maxResponse bounds the size of a browser's response.
const maxResponse = 64 << 10

// handleLen is the length of a user handle: 256 random bits.
const handleLen = 32

// Passkeys runs the WebAuthn ceremonies of a Manager's passkeys:
// registration, login as a second step and passwordless login. It is safe
// for concurrent use.
type Passkeys struct {
	m   *factor.Manager
	x   factor.Extension
	cfg Config
	wa  *webauthn.WebAuthn
}

// New returns the passkey ceremonies of m. m must have Factor among its
// factors; with cfg.Passwordless, m's Store must implement
// factor.HandleStore.
func New(m *factor.Manager, cfg Config) (*Passkeys, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	wc, err := cfg.webauthnConfig()
	if err != nil {
		return nil, err
	}
	wa, err := webauthn.New(wc)
	if err != nil {
		return nil, &factor.ConfigError{Field: "RPID", Reason: err.Error()}
	}
	x := m.Extension()
	if _, ok := x.Store().(factor.HandleStore); cfg.Passwordless && !ok {
		return nil, &factor.ConfigError{Field: "Passwordless", Reason: "the store does not implement factor.HandleStore"}
	}
	return &Passkeys{m: m, x: x, cfg: cfg, wa: wa}, nil
}

// Config returns the configuration in effect, defaults filled in.
func (p *Passkeys) Config() Config { return p.cfg }

// user is a user as go-webauthn sees one.
type user struct {
	handle      []byte
	name        string
	displayName string
	creds       []webauthn.Credential
}

func (u *user) WebAuthnID() []byte                         { return u.handle }
func (u *user) WebAuthnName() string                       { return u.name }
func (u *user) WebAuthnDisplayName() string                { return u.displayName }
func (u *user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// keys are a user's passkey enrollments, with their decoded states.
type keys struct {
	all    []*factor.Enrollment
	states []*state
}

// passkeys reads the user's passkey enrollments. With confirmed set it
// keeps only confirmed ones that hold a credential.
func (p *Passkeys) passkeys(ctx context.Context, userID string, confirmed bool) (*keys, error) {
	all, err := p.x.Store().ListEnrollments(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("passkey: list enrollments: %w", err)
	}
	var k keys
	for _, e := range all {
		if e.Kind != Kind || (confirmed && !e.Confirmed) {
			continue
		}
		st, err := readState(e)
		if err != nil {
			return nil, err
		}
		if confirmed && st.Credential == nil {
			continue
		}
		k.all, k.states = append(k.all, e), append(k.states, st)
	}
	return &k, nil
}

// handle returns the user handle of the user's passkeys, or nil when the
// user has none.
func (k *keys) handle() []byte {
	for _, st := range k.states {
		if len(st.Handle) > 0 {
			return st.Handle
		}
	}
	return nil
}

// credentials returns the confirmed credentials, for go-webauthn.
func (k *keys) credentials() []webauthn.Credential {
	var out []webauthn.Credential
	for i, e := range k.all {
		if e.Confirmed && k.states[i].Credential != nil {
			out = append(out, k.states[i].Credential.webAuthn())
		}
	}
	return out
}

// find returns the index of the confirmed enrollment holding the
// credential with the given ID, or -1.
func (k *keys) find(credentialID []byte) int {
	for i, e := range k.all {
		if c := k.states[i].Credential; e.Confirmed && c != nil && string(c.ID) == string(credentialID) {
			return i
		}
	}
	return -1
}

// newHandle returns a random user handle.
func (p *Passkeys) newHandle() ([]byte, error) {
	h := make([]byte, handleLen)
	if _, err := io.ReadFull(p.x.Rand(), h); err != nil {
		return nil, fmt.Errorf("passkey: random: %w", err)
	}
	return h, nil
}

// options encodes the options for navigator.credentials.create or get.
func options(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("passkey: options: %w", err)
	}
	return b, nil
}

// lost reports whether a store error means a compare-and-swap was lost or
// the record went: another request won, which for the caller is a wrong
// answer.
func lost(err error) bool {
	return errors.Is(err, factor.ErrConflict) || errors.Is(err, factor.ErrNotFound)
}

// malformed is the error for a response that does not parse.
func malformed(reason string) error {
	return &factor.InputError{Field: "response", Reason: reason}
}
