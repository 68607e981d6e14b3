package factor_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/passkey"
)

// passkeyLeakEnv is the leak search's Manager with passkeys, second step
// and passwordless, and one user's software authenticator.
type passkeyLeakEnv struct {
	*leakCheck
	ctx  context.Context
	m    *factor.Manager
	p    *passkey.Passkeys
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
	rp   virtualwebauthn.RelyingParty
	now  time.Time
}

func newPasskeyLeakEnv(t *testing.T) *passkeyLeakEnv {
	l := newLeakCheck(t)
	l.logs = &factortest.LogBuffer{}
	logger := slog.New(slog.NewJSONHandler(l.logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime}))
	key := factor.ServerKey{ID: "k1", Secret: []byte("server-key-that-must-never-leak!")}
	l.bytes("the server key", key.Secret)
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{passkey.Factor{}}, Keys: []factor.ServerKey{key},
		Logger: logger, Events: l.events, Notifier: l.events})
	require.NoError(t, err)
	rp := virtualwebauthn.RelyingParty{ID: "example.com", Name: "Example", Origin: "https://login.example.com"}
	p, err := passkey.New(m, passkey.Config{RPID: rp.ID, Origins: []string{rp.Origin}, Passwordless: true})
	require.NoError(t, err)
	e := &passkeyLeakEnv{leakCheck: l, ctx: context.Background(), m: m, p: p, rp: rp, now: t0,
		auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{})}
	var der []byte
	e.cred, der = fullLengthCredential(t)
	e.bytes("a passkey's private key", der)
	e.bytes("a credential ID", e.cred.ID)
	return e
}

// fullLengthCredential makes a software credential whose public key has
// both coordinates 32 bytes long (virtualwebauthn drops leading zero
// bytes, which verifiers refuse), and returns its private key too.
func fullLengthCredential(t *testing.T) (virtualwebauthn.Credential, []byte) {
	for {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		point, err := k.PublicKey.Bytes()
		require.NoError(t, err)
		if point[1] == 0 || point[33] == 0 {
			continue
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		require.NoError(t, err)
		return virtualwebauthn.NewCredentialWithImportedKey(virtualwebauthn.KeyTypeEC2, der), der
	}
}

// options records the challenge of a ceremony's options.
func (e *passkeyLeakEnv) options(opts json.RawMessage) {
	var o struct{ PublicKey struct{ Challenge string } }
	require.NoError(e.t, json.Unmarshal(opts, &o))
	e.secret("a WebAuthn challenge", o.PublicKey.Challenge)
}

// answer records what a browser's answer carries: the signed client
// data, the signature or attestation and the user handle.
func (e *passkeyLeakEnv) answer(resp string) []byte {
	var r struct {
		Response map[string]string `json:"response"`
	}
	require.NoError(e.t, json.Unmarshal([]byte(resp), &r))
	for field, v := range r.Response {
		e.secret("the "+field+" of a WebAuthn answer", v)
	}
	return []byte(resp)
}

func (e *passkeyLeakEnv) create(rp virtualwebauthn.RelyingParty, opts json.RawMessage) []byte {
	e.options(opts)
	o, err := virtualwebauthn.ParseAttestationOptions(string(opts))
	require.NoError(e.t, err)
	e.auth.Options.UserHandle = []byte(o.UserID)
	e.bytes("a user handle", e.auth.Options.UserHandle)
	resp := e.answer(virtualwebauthn.CreateAttestationResponse(rp, e.auth, e.cred, *o))
	e.auth.AddCredential(e.cred)
	return resp
}

func (e *passkeyLeakEnv) get(rp virtualwebauthn.RelyingParty, opts json.RawMessage) []byte {
	e.options(opts)
	o, err := virtualwebauthn.ParseAssertionOptions(string(opts))
	require.NoError(e.t, err)
	e.cred.Counter++
	return e.answer(virtualwebauthn.CreateAssertionResponse(rp, e.auth, e.cred, *o))
}

// TestNoPasskeySecretLeaks runs the passkey ceremonies with right, wrong,
// replayed and tampered answers, and management, and proves that no
// challenge, key, signature, user handle or sealed ceremony reaches a log
// line, an audit event, a notification, an error or a user message.
func TestNoPasskeySecretLeaks(t *testing.T) {
	e := newPasskeyLeakEnv(t)
	evil := virtualwebauthn.RelyingParty{ID: e.rp.ID, Origin: "https://login.example.net"}
	reg, err := e.p.BeginRegistration(e.ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Laptop"}, e.now)
	require.NoError(t, err)
	_, err = e.p.FinishRegistration(e.ctx, "alice", reg.EnrollmentID, e.create(evil, reg.Options), e.now)
	require.Error(t, e.err(err), "wrong origin")
	res, err := e.p.FinishRegistration(e.ctx, "alice", reg.EnrollmentID, e.create(e.rp, reg.Options), e.now)
	require.NoError(t, err)
	e.secret("a step-up grant", res.StepUp)

	a, err := e.p.BeginLogin(e.ctx, "alice", e.now)
	require.NoError(t, err)
	_, err = e.p.FinishLogin(e.ctx, "alice", e.get(evil, a.Options), e.now)
	require.Error(t, e.err(err), "wrong origin")
	good := e.get(e.rp, a.Options)
	res, err = e.p.FinishLogin(e.ctx, "alice", good, e.now)
	require.NoError(t, err)
	e.secret("a step-up grant", res.StepUp)
	_, err = e.p.FinishLogin(e.ctx, "alice", good, e.now)
	require.Error(t, e.err(err), "replayed")
	_, err = e.p.FinishLogin(e.ctx, "mallory", good, e.now)
	require.Error(t, e.err(err), "another user")
	_, err = e.p.FinishLogin(e.ctx, "alice", append([]byte("{"), good...), e.now)
	require.Error(t, e.err(err), "malformed")

	pl, err := e.p.BeginPasswordless(e.ctx, e.now)
	require.NoError(t, err)
	e.secret("a sealed passwordless ceremony", pl.Ceremony)
	resp := e.get(e.rp, pl.Options)
	login, err := e.p.FinishPasswordless(e.ctx, passkey.PasswordlessRequest{Ceremony: pl.Ceremony, Response: resp, Client: "192.0.2.7"}, e.now)
	require.NoError(t, err)
	require.Equal(t, "alice", login.UserID)
	_, err = e.p.FinishPasswordless(e.ctx, passkey.PasswordlessRequest{Ceremony: pl.Ceremony, Response: resp, Client: "192.0.2.7"}, e.now)
	require.Error(t, e.err(err), "replayed")
	_, err = e.p.FinishPasswordless(e.ctx, passkey.PasswordlessRequest{Ceremony: pl.Ceremony[:len(pl.Ceremony)-2], Response: e.get(e.rp, pl.Options)}, e.now)
	require.Error(t, e.err(err), "tampered ceremony")

	list, err := e.p.List(e.ctx, "alice")
	require.NoError(t, err)
	require.Error(t, e.err(e.p.Rename(e.ctx, "alice", list[0].EnrollmentID, "Key\x00", e.now)))
	require.NoError(t, e.p.Rename(e.ctx, "alice", list[0].EnrollmentID, "Work laptop", e.now))
	require.NoError(t, e.m.Remove(e.ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: list[0].EnrollmentID, StepUp: res.StepUp}, e.now))
	_, err = e.p.BeginLogin(e.ctx, "alice", e.now)
	require.Error(t, e.err(err), "no passkey left")
}
