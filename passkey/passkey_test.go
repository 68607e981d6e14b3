package passkey_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
)

func TestRegisterThenLogin(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})

	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Laptop"}, t0)
	require.NoError(t, err)
	var opts struct {
		PublicKey struct {
			User                   struct{ ID, Name string }
			AuthenticatorSelection struct{ ResidentKey, UserVerification string }
		}
	}
	require.NoError(t, json.Unmarshal(reg.Options, &opts))
	assert.Equal(t, "preferred", opts.PublicKey.AuthenticatorSelection.ResidentKey)
	assert.Equal(t, "discouraged", opts.PublicKey.AuthenticatorSelection.UserVerification)
	handle, err := base64.RawURLEncoding.DecodeString(opts.PublicKey.User.ID)
	require.NoError(t, err)
	assert.Len(t, handle, 32, "the user handle is random, not the user ID")
	assert.NotContains(t, string(handle), "alice")

	res, err := e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, d.create(t, rp, reg.Options), t0.Add(time.Second))
	require.NoError(t, err)
	assert.True(t, res.Enabled, "the first passkey turns two-step verification on")
	assert.Equal(t, passkey.Kind, res.Kind)
	assert.Equal(t, 1, e.count(factor.EventConfirmed))

	list, err := e.m.Enrollments(ctx, "alice", t0.Add(time.Second))
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.True(t, list[0].Confirmed)
	assert.Equal(t, "Laptop", list[0].Label)

	a, err := e.p.BeginLogin(ctx, "alice", t0.Add(time.Minute))
	require.NoError(t, err)
	var login struct {
		PublicKey struct {
			AllowCredentials []struct{ ID string }
			UserVerification string
		}
	}
	require.NoError(t, json.Unmarshal(a.Options, &login))
	require.Len(t, login.PublicKey.AllowCredentials, 1)
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(d.cred.ID), login.PublicKey.AllowCredentials[0].ID)

	now := t0.Add(time.Minute + time.Second)
	res, err = e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), now)
	require.NoError(t, err)
	assert.Equal(t, reg.EnrollmentID, res.EnrollmentID)
	assert.Equal(t, 1, e.count(factor.EventVerified))
	list, err = e.m.Enrollments(ctx, "alice", now)
	require.NoError(t, err)
	assert.Equal(t, now, list[0].LastUsedAt)

	// A second registration leaves the first passkey out of the options.
	reg2, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Phone"}, now)
	if err == nil {
		var excl struct {
			PublicKey struct {
				User               struct{ ID string }
				ExcludeCredentials []struct{ ID string }
			}
		}
		require.NoError(t, json.Unmarshal(reg2.Options, &excl))
		require.Len(t, excl.PublicKey.ExcludeCredentials, 1)
		assert.Equal(t, opts.PublicKey.User.ID, excl.PublicKey.User.ID, "one handle per user")
	} else {
		require.ErrorIs(t, err, factor.ErrNotAllowed, "a policy refusal, such as a step-up")
	}
}

// loginCase changes a login: the party the browser answers for, the
// authenticator, or the response.
type loginCase struct {
	name   string
	cfg    passkey.Config
	party  virtualwebauthn.RelyingParty
	device virtualwebauthn.AuthenticatorOptions
	tamper func(t *testing.T, e *env, resp []byte) []byte
}

func TestLoginRefused(t *testing.T) {
	cases := []loginCase{
		{name: "wrong origin", party: virtualwebauthn.RelyingParty{ID: rp.ID, Origin: "https://evil.example.net"}},
		{name: "wrong RP ID", party: virtualwebauthn.RelyingParty{ID: "evil.example.net", Origin: origin}},
		{name: "user verification required but absent", cfg: passkey.Config{SecondFactorVerification: passkey.VerificationRequired},
			device: virtualwebauthn.AuthenticatorOptions{UserNotVerified: true}},
		{name: "tampered signature", tamper: func(t *testing.T, _ *env, resp []byte) []byte {
			return editResponse(t, resp, func(r map[string]any) {
				sig, err := base64.RawURLEncoding.DecodeString(r["signature"].(string))
				require.NoError(t, err)
				sig[len(sig)-1] ^= 1
				r["signature"] = base64.RawURLEncoding.EncodeToString(sig)
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, tc.cfg)
			d := newDevice(tc.device)
			if tc.cfg.SecondFactorVerification == passkey.VerificationRequired {
				// Register with a verifying authenticator, log in without.
				d.auth.Options.UserNotVerified = false
			}
			e.register(t, "alice", d, t0)
			d.auth.Options = tc.device
			a, err := e.p.BeginLogin(ctx, "alice", t0)
			require.NoError(t, err)
			party := rp
			if tc.party.ID != "" {
				party = tc.party
			}
			resp := d.get(t, party, a.Options)
			if tc.tamper != nil {
				resp = tc.tamper(t, e, resp)
			}
			failed := e.count(factor.EventFailed)
			_, err = e.p.FinishLogin(ctx, "alice", resp, t0.Add(time.Second))
			require.ErrorIs(t, err, factor.ErrInvalidCode)
			assert.Equal(t, failed+1, e.count(factor.EventFailed), "counted as a failed attempt")
			assert.Zero(t, e.count(factor.EventVerified))
		})
	}
}

// editResponse changes the response member of a PublicKeyCredential.
func editResponse(t *testing.T, resp []byte, edit func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(resp, &m))
	edit(m["response"].(map[string]any))
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestLoginReplayAndOtherUsers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	alice, bob := newDevice(virtualwebauthn.AuthenticatorOptions{}), newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(t, "alice", alice, t0)
	e.register(t, "bob", bob, t0)

	a, err := e.p.BeginLogin(ctx, "alice", t0)
	require.NoError(t, err)
	resp := alice.get(t, rp, a.Options)
	_, err = e.p.FinishLogin(ctx, "alice", resp, t0.Add(time.Second))
	require.NoError(t, err)

	_, err = e.p.FinishLogin(ctx, "alice", resp, t0.Add(2*time.Second))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "a replayed assertion")

	// Bob's authenticator answering Alice's ceremony, for Alice.
	a, err = e.p.BeginLogin(ctx, "alice", t0.Add(3*time.Second))
	require.NoError(t, err)
	_, err = e.p.FinishLogin(ctx, "alice", bob.get(t, rp, a.Options), t0.Add(4*time.Second))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "another user's credential")

	// An expired ceremony.
	_, err = e.p.FinishLogin(ctx, "alice", alice.get(t, rp, a.Options), t0.Add(3*time.Second+5*time.Minute))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "an expired ceremony")
}

func TestSignCountRegression(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(map[bool]string{false: "recorded", true: "refused"}[refuse], func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, passkey.Config{RefuseSignCountRegression: refuse})
			d := newDevice(virtualwebauthn.AuthenticatorOptions{})
			d.cred.Counter = 10
			e.register(t, "alice", d, t0)
			a, err := e.p.BeginLogin(ctx, "alice", t0)
			require.NoError(t, err)
			_, err = e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), t0.Add(time.Second)) // 11
			require.NoError(t, err)
			assert.Zero(t, e.count(passkey.EventSignCountRegressed))

			d.cred.Counter = 4 // a clone that lags behind
			a, err = e.p.BeginLogin(ctx, "alice", t0.Add(time.Minute))
			require.NoError(t, err)
			_, err = e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), t0.Add(time.Minute+time.Second))
			assert.Equal(t, 1, e.count(passkey.EventSignCountRegressed))
			if refuse {
				require.ErrorIs(t, err, factor.ErrInvalidCode)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestBackupFlagChangesAccepted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	// Registered before it synced: not backup eligible, not backed up.
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(t, "alice", d, t0)

	// Synced: now eligible and backed up, as iCloud Keychain reports.
	d.auth.Options.BackupEligible, d.auth.Options.BackupState = true, true
	a, err := e.p.BeginLogin(ctx, "alice", t0)
	require.NoError(t, err)
	_, err = e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), t0.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, 1, e.count(passkey.EventBackupEligibilityChanged))

	// Backed up no longer: the backup state may change at any time.
	d.auth.Options.BackupState = false
	a, err = e.p.BeginLogin(ctx, "alice", t0.Add(time.Minute))
	require.NoError(t, err)
	_, err = e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), t0.Add(time.Minute+time.Second))
	require.NoError(t, err)
	assert.Equal(t, 1, e.count(passkey.EventBackupEligibilityChanged))
}

func TestConcurrentFinishOneWinner(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(t, "alice", d, t0)
	a, err := e.p.BeginLogin(ctx, "alice", t0)
	require.NoError(t, err)
	resp := d.get(t, rp, a.Options)

	var wins, invalid atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Go(func() {
			<-start
			_, err := e.p.FinishLogin(ctx, "alice", resp, t0.Add(time.Second))
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, factor.ErrInvalidCode), errors.Is(err, factor.ErrLocked):
				invalid.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(1), wins.Load())
	assert.Equal(t, int64(99), invalid.Load())
}

func TestLockedUserNotChecked(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(t, "alice", d, t0)
	a, err := e.p.BeginLogin(ctx, "alice", t0)
	require.NoError(t, err)
	good := d.get(t, rp, a.Options)
	bad := editResponse(t, good, func(r map[string]any) { r["signature"] = base64.RawURLEncoding.EncodeToString([]byte("nope")) })
	var locked bool
	for i := range 20 {
		_, err := e.p.FinishLogin(ctx, "alice", bad, t0.Add(time.Duration(i)*time.Second))
		if errors.Is(err, factor.ErrLocked) {
			locked = true
			break
		}
		require.ErrorIs(t, err, factor.ErrInvalidCode)
	}
	require.True(t, locked, "failed assertions lock the user like wrong codes")
	_, err = e.p.FinishLogin(ctx, "alice", good, t0.Add(30*time.Second))
	var le *factor.LockedError
	require.ErrorAs(t, err, &le, "a right assertion is not even checked while locked")
}

func TestMalformedCountsNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	e.register(t, "alice", newDevice(virtualwebauthn.AuthenticatorOptions{}), t0)
	for _, resp := range []string{"", "{}", "null", `{"id":"x"}`, strings.Repeat("a", 70000)} {
		_, err := e.p.FinishLogin(ctx, "alice", []byte(resp), t0)
		require.ErrorIs(t, err, factor.ErrMalformed)
		_, err = e.p.FinishRegistration(ctx, "alice", "x", []byte(resp), t0)
		require.ErrorIs(t, err, factor.ErrMalformed)
	}
	assert.Zero(t, e.count(factor.EventFailed))
}

func TestRegistrationRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Laptop"}, t0)
	require.NoError(t, err)

	_, err = e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, d.create(t, virtualwebauthn.RelyingParty{ID: rp.ID, Origin: "https://evil.example.net"}, reg.Options), t0)
	require.ErrorIs(t, err, factor.ErrInvalidCode, "wrong origin")
	_, err = e.p.FinishRegistration(ctx, "bob", reg.EnrollmentID, d.create(t, rp, reg.Options), t0)
	require.ErrorIs(t, err, factor.ErrInvalidCode, "another user's ceremony")
	_, err = e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, d.create(t, rp, reg.Options), t0.Add(6*time.Minute))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "expired")

	resp := d.create(t, rp, reg.Options)
	_, err = e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, resp, t0.Add(time.Second))
	require.NoError(t, err)
	_, err = e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, resp, t0.Add(2*time.Second))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "single use")

	// Confirming without the ceremony's token is a wrong code.
	reg, err = e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "carol", Label: "Key"}, t0)
	require.NoError(t, err)
	_, err = e.m.Confirm(ctx, factor.Answer{UserID: "carol", EnrollmentID: reg.EnrollmentID, Code: "123456"}, t0)
	require.ErrorIs(t, err, factor.ErrInvalidCode)
}

func TestAllowedAAGUIDs(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{AllowedAAGUIDs: []string{"cb69481e-8ff7-4039-93ec-0a2729a154a8"}})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{}) // a random AAGUID
	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Key"}, t0)
	require.NoError(t, err)
	_, err = e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, d.create(t, rp, reg.Options), t0)
	require.ErrorIs(t, err, factor.ErrInvalidCode)
}
