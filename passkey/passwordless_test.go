package passkey_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
)

func TestPasswordlessFindsTheUser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{Passwordless: true})
	alice, bob := newDevice(virtualwebauthn.AuthenticatorOptions{}), newDevice(virtualwebauthn.AuthenticatorOptions{})
	aliceID := e.register(t, "alice", alice, t0)
	e.register(t, "bob", bob, t0)

	a, err := e.p.BeginPasswordless(ctx, t0)
	require.NoError(t, err)
	var opts struct {
		PublicKey struct {
			AllowCredentials []any
			UserVerification string
		}
		Mediation string
	}
	require.NoError(t, json.Unmarshal(a.Options, &opts))
	assert.Empty(t, opts.PublicKey.AllowCredentials, "the browser offers the user's discoverable passkeys")
	assert.Equal(t, "required", opts.PublicKey.UserVerification)
	assert.Equal(t, "conditional", opts.Mediation, "autofill")

	resp := alice.get(t, rp, a.Options)
	login, err := e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: resp, Client: "192.0.2.1"}, t0.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, "alice", login.UserID)
	assert.Equal(t, aliceID, login.Result.EnrollmentID)

	_, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: resp, Client: "192.0.2.1"}, t0.Add(2*time.Second))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "a replayed response")

	login, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: bob.get(t, rp, a.Options), Client: "192.0.2.1"}, t0.Add(3*time.Second))
	require.NoError(t, err)
	assert.Equal(t, "bob", login.UserID)
}

func TestPasswordlessRefusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{Passwordless: true})
	alice := newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(t, "alice", alice, t0)
	a, err := e.p.BeginPasswordless(ctx, t0)
	require.NoError(t, err)

	// A stranger's authenticator naming a handle nobody has, one naming
	// Alice's handle, and Alice's without user verification all get the
	// same answer, which says nothing about whether the user exists.
	stranger := newDevice(virtualwebauthn.AuthenticatorOptions{UserHandle: randomHandle(t)})
	impostor := newDevice(virtualwebauthn.AuthenticatorOptions{UserHandle: alice.auth.Options.UserHandle})
	unverified := *alice
	unverified.auth.Options.UserNotVerified = true
	for name, d := range map[string]*device{"unknown handle": stranger, "known handle, unknown credential": impostor, "no user verification": &unverified} {
		_, err := e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: d.get(t, rp, a.Options)}, t0.Add(time.Second))
		require.ErrorIs(t, err, factor.ErrInvalidCode, name)
		assert.Equal(t, factor.ErrInvalidCode.Error(), err.Error(), name)
	}

	_, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony + "x", Response: alice.get(t, rp, a.Options)}, t0.Add(time.Second))
	require.ErrorIs(t, err, factor.ErrMalformed, "a tampered ceremony")
	_, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: alice.get(t, rp, a.Options)}, t0.Add(6*time.Minute))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "an expired ceremony")
	assert.Zero(t, e.count(factor.EventFailed), "no failure is counted against Alice")
}

func randomHandle(t *testing.T) []byte {
	t.Helper()
	h := make([]byte, 32)
	_, err := rand.Read(h)
	require.NoError(t, err)
	return h
}

func TestPasswordlessFailuresNeverLockTheUser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{Passwordless: true, PasswordlessLimit: 1000})
	alice := newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(t, "alice", alice, t0)
	impostor := newDevice(virtualwebauthn.AuthenticatorOptions{UserHandle: alice.auth.Options.UserHandle})

	for i := range 200 {
		now := t0.Add(time.Duration(i) * time.Second)
		a, err := e.p.BeginPasswordless(ctx, now)
		require.NoError(t, err)
		_, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: impostor.get(t, rp, a.Options), Client: fmt.Sprintf("198.51.100.%d", i%250)}, now)
		require.ErrorIs(t, err, factor.ErrInvalidCode)
	}
	assert.Zero(t, e.count(factor.EventLocked))

	// Alice still logs in, both ways.
	now := t0.Add(time.Hour)
	a, err := e.p.BeginLogin(ctx, "alice", now)
	require.NoError(t, err)
	_, err = e.p.FinishLogin(ctx, "alice", alice.get(t, rp, a.Options), now)
	require.NoError(t, err)
	pl, err := e.p.BeginPasswordless(ctx, now)
	require.NoError(t, err)
	login, err := e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: pl.Ceremony, Response: alice.get(t, rp, pl.Options)}, now)
	require.NoError(t, err)
	assert.Equal(t, "alice", login.UserID)
}

func TestPasswordlessThrottledPerClientAndCredential(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{Passwordless: true, PasswordlessLimit: 3})
	alice := newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(t, "alice", alice, t0)
	try := func(d *device, client string) error {
		a, err := e.p.BeginPasswordless(ctx, t0)
		require.NoError(t, err)
		_, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: d.get(t, rp, a.Options), Client: client}, t0.Add(time.Second))
		return err
	}
	stranger := newDevice(virtualwebauthn.AuthenticatorOptions{UserHandle: randomHandle(t)})
	for range 3 {
		require.ErrorIs(t, try(stranger, "203.0.113.9"), factor.ErrInvalidCode)
	}
	var rl *factor.RateLimitError
	require.ErrorAs(t, try(stranger, "203.0.113.9"), &rl)
	assert.Equal(t, "passkey client", rl.Scope)
	require.ErrorAs(t, try(stranger, "203.0.113.10"), &rl, "the same credential from another client")
	assert.Equal(t, "passkey credential", rl.Scope)
	require.NoError(t, try(alice, "203.0.113.11"), "other clients and credentials go on")
}

func TestPasswordlessOff(t *testing.T) {
	e := newEnv(t, passkey.Config{})
	_, err := e.p.BeginPasswordless(context.Background(), t0)
	require.ErrorIs(t, err, factor.ErrNotAllowed)
}
