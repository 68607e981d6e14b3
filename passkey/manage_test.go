package passkey_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
	"github.com/twostep/twostep/trust"
)

func TestListDescribesPasskeys(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	key := newDevice(virtualwebauthn.AuthenticatorOptions{})
	synced := newDevice(virtualwebauthn.AuthenticatorOptions{BackupEligible: true, BackupState: true})
	keyID := e.register(t, "alice", key, t0)
	syncedID := e.registerMore(t, "alice", synced, t0.Add(time.Minute))
	e.register(t, "bob", newDevice(virtualwebauthn.AuthenticatorOptions{}), t0)
	_, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Pending", StepUp: e.grant(t, "alice", t0)}, t0.Add(2*time.Minute))
	require.NoError(t, err)

	a, err := e.p.BeginLogin(ctx, "alice", t0.Add(3*time.Minute))
	require.NoError(t, err)
	_, err = e.p.FinishLogin(ctx, "alice", synced.get(t, rp, a.Options), t0.Add(3*time.Minute))
	require.NoError(t, err)

	list, err := e.p.List(ctx, "alice")
	require.NoError(t, err)
	require.Len(t, list, 2, "the pending registration and Bob's passkey are left out")
	assert.Equal(t, keyID, list[0].EnrollmentID)
	assert.Equal(t, "Laptop", list[0].Name)
	assert.Equal(t, t0, list[0].Created)
	assert.True(t, list[0].LastUsed.IsZero(), "never used")
	assert.True(t, list[0].DeviceBound())
	assert.False(t, list[0].Synced())

	assert.Equal(t, syncedID, list[1].EnrollmentID)
	assert.Equal(t, t0.Add(time.Minute), list[1].Created)
	assert.Equal(t, t0.Add(3*time.Minute), list[1].LastUsed)
	assert.False(t, list[1].DeviceBound())
	assert.True(t, list[1].Synced())

	none, err := e.p.List(ctx, "carol")
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = e.p.List(ctx, "bad\x00user")
	require.ErrorIs(t, err, factor.ErrMalformed)
}

func TestListFollowsTheAuthenticator(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{BackupEligible: true})
	e.register(t, "alice", d, t0)
	list, err := e.p.List(ctx, "alice")
	require.NoError(t, err)
	assert.False(t, list[0].DeviceBound(), "eligible for backup")
	assert.False(t, list[0].Synced(), "not backed up yet")

	d.auth.Options.BackupState = true // the provider has synced it
	a, err := e.p.BeginLogin(ctx, "alice", t0.Add(time.Minute))
	require.NoError(t, err)
	_, err = e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), t0.Add(time.Minute))
	require.NoError(t, err)
	list, err = e.p.List(ctx, "alice")
	require.NoError(t, err)
	assert.True(t, list[0].Synced())
}

func TestRename(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	id := e.register(t, "alice", newDevice(virtualwebauthn.AuthenticatorOptions{}), t0)
	devices, err := trust.New(e.m, trust.Config{})
	require.NoError(t, err)
	token, err := devices.Remember(ctx, "alice", "Firefox", 24*time.Hour, t0)
	require.NoError(t, err)

	require.NoError(t, e.p.Rename(ctx, "alice", id, "Werklaptop", t0.Add(time.Minute)))
	list, err := e.p.List(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, "Werklaptop", list[0].Name)
	assert.Equal(t, 1, e.count(passkey.EventRenamed), "audited")
	trusted, err := devices.Check(ctx, "alice", token, t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.True(t, trusted, "a new name is not a change of factors: trusted devices stay")
	assert.Zero(t, e.count(factor.EventDevicesRevoked))

	require.NoError(t, e.p.Rename(ctx, "alice", id, "Werklaptop", t0.Add(3*time.Minute)))
	assert.Equal(t, 1, e.count(passkey.EventRenamed), "the same name again changes nothing")

	// The passkey still logs in under its new name.
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	id2 := e.registerMore(t, "alice", d, t0.Add(4*time.Minute))
	require.NoError(t, e.p.Rename(ctx, "alice", id2, "Sleutel", t0.Add(5*time.Minute)))
	a, err := e.p.BeginLogin(ctx, "alice", t0.Add(6*time.Minute))
	require.NoError(t, err)
	res, err := e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), t0.Add(6*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, id2, res.EnrollmentID)
}

func TestRenameRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{})
	id := e.register(t, "alice", newDevice(virtualwebauthn.AuthenticatorOptions{}), t0)
	bobID := e.register(t, "bob", newDevice(virtualwebauthn.AuthenticatorOptions{}), t0)
	pending, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Pending", StepUp: e.grant(t, "alice", t0)}, t0)
	require.NoError(t, err)
	other := &factor.Enrollment{ID: "app1", UserID: "alice", Kind: factor.KindTOTP, Label: "App", Confirmed: true, CreatedAt: t0}
	require.NoError(t, e.mem.CreateEnrollment(ctx, other))

	for _, tc := range []struct {
		name, user, id, newName string
		want                    error
	}{
		{"another user's passkey", "alice", bobID, "Mine now", factor.ErrNotFound},
		{"a pending registration", "alice", pending.EnrollmentID, "Key", factor.ErrNotFound},
		{"another kind of method", "alice", other.ID, "Key", factor.ErrNotFound},
		{"an unknown enrollment", "alice", "nope", "Key", factor.ErrNotFound},
		{"an empty name", "alice", id, "", factor.ErrMalformed},
		{"a name too long", "alice", id, strings.Repeat("x", 101), factor.ErrMalformed},
		{"a control character", "alice", id, "Key\x00", factor.ErrMalformed},
		{"invalid UTF-8", "alice", id, "Key\xff", factor.ErrMalformed},
		{"no enrollment", "alice", "", "Key", factor.ErrMalformed},
		{"a bad user ID", "al\nice", id, "Key", factor.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.p.Rename(ctx, tc.user, tc.id, tc.newName, t0)
			require.ErrorIs(t, err, tc.want)
		})
	}
	assert.Zero(t, e.count(passkey.EventRenamed))
	for user, name := range map[string]string{"alice": "Laptop", "bob": "Laptop"} {
		list, err := e.p.List(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, name, list[0].Name, "nothing renamed")
	}
	got, err := e.mem.GetEnrollment(ctx, "alice", other.ID)
	require.NoError(t, err)
	assert.Equal(t, "App", got.Label)
}

// grant is the step-up grant of a second step the user passed at now, as
// FinishLogin returns it: adding a passkey beside another needs one.
func (e *env) grant(t testing.TB, user string, now time.Time) string {
	t.Helper()
	g, err := e.m.Extension().StepUpGrant(user, now)
	require.NoError(t, err)
	return g
}

// registerMore registers d for a user who has a passkey already, after a
// step-up, and returns the enrollment's ID.
func (e *env) registerMore(t testing.TB, user string, d *device, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: user, Label: "Laptop", StepUp: e.grant(t, user, now)}, now)
	require.NoError(t, err)
	_, err = e.p.FinishRegistration(ctx, user, reg.EnrollmentID, d.create(t, rp, reg.Options), now)
	require.NoError(t, err)
	return reg.EnrollmentID
}
