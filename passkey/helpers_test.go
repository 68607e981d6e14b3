package passkey_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/passkey"
)

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

const origin = "https://login.example.com"

var rp = virtualwebauthn.RelyingParty{ID: "example.com", Name: "Example", Origin: origin}

// env is a Manager with passkeys on a memstore, its events recorded and its
// log captured.
type env struct {
	m      *factor.Manager
	p      *passkey.Passkeys
	mem    *memstore.Store
	log    *factortest.LogBuffer
	mu     sync.Mutex
	events []factor.Event
}

func newEnv(t testing.TB, cfg passkey.Config) *env {
	t.Helper()
	e := &env{mem: memstore.New()}
	logger, buf := factortest.NewLogger()
	e.log = buf
	m, err := factor.NewManager(factor.Config{
		Store:   e.mem,
		Keys:    []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Factors: []factor.Factor{passkey.Factor{}},
		Logger:  logger,
		Events: factor.EventFunc(func(_ context.Context, ev factor.Event) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ev)
		}),
	})
	require.NoError(t, err)
	if cfg.RPID == "" {
		cfg.RPID = rp.ID
	}
	if cfg.Origins == nil {
		cfg.Origins = []string{origin}
	}
	e.m = m
	e.p, err = passkey.New(m, cfg)
	require.NoError(t, err)
	return e
}

// count returns how many events of type typ were recorded.
func (e *env) count(typ factor.EventType) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.events {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// device is a software authenticator with one credential.
type device struct {
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice(opts virtualwebauthn.AuthenticatorOptions) *device {
	d := &device{auth: virtualwebauthn.NewAuthenticatorWithOptions(opts), cred: newEC2Credential()}
	return d
}

// create answers registration options as a browser at party would.
func (d *device) create(t testing.TB, party virtualwebauthn.RelyingParty, opts json.RawMessage) []byte {
	t.Helper()
	o, err := virtualwebauthn.ParseAttestationOptions(string(opts))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(o.UserID) // a discoverable credential keeps the handle
	resp := virtualwebauthn.CreateAttestationResponse(party, d.auth, d.cred, *o)
	d.auth.AddCredential(d.cred)
	return []byte(resp)
}

// get answers login options as a browser at party would, and advances the
// credential's signature counter.
func (d *device) get(t testing.TB, party virtualwebauthn.RelyingParty, opts json.RawMessage) []byte {
	t.Helper()
	o, err := virtualwebauthn.ParseAssertionOptions(string(opts))
	require.NoError(t, err)
	d.cred.Counter++
	return []byte(virtualwebauthn.CreateAssertionResponse(party, d.auth, d.cred, *o))
}

// register registers d for user as a confirmed passkey and returns the
// enrollment's ID.
func (e *env) register(t testing.TB, user string, d *device, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: user, Label: "Laptop"}, now)
	require.NoError(t, err)
	res, err := e.p.FinishRegistration(ctx, user, reg.EnrollmentID, d.create(t, rp, reg.Options), now)
	require.NoError(t, err)
	require.Equal(t, reg.EnrollmentID, res.EnrollmentID)
	return reg.EnrollmentID
}
