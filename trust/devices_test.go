package trust_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/trust"
)

func TestRememberAndCheck(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	assert.True(t, e.check(t, "alice", tok))
	assert.Regexp(t, `^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$`, tok)
	id, ok := trust.DeviceID(tok)
	require.True(t, ok)
	assert.Equal(t, tok[:22], id)
	ev := e.events.all()
	require.Len(t, ev, 1)
	assert.Equal(t, factor.Event{Type: factor.EventDeviceTrusted, UserID: "alice", Time: t0, Actor: "alice", Reason: "24h0m0s"}, ev[0])
}

func TestExpiryIsAbsolute(t *testing.T) {
	for _, d := range []time.Duration{12 * time.Hour, day, 3 * day, 7 * day} {
		t.Run(d.String(), func(t *testing.T) {
			e := newEnv(t, trust.Config{})
			tok, err := e.d.Remember(t.Context(), "alice", "phone", d, t0)
			require.NoError(t, err)
			e.clock.Set(t0.Add(d / 2))
			require.True(t, e.check(t, "alice", tok), "use halfway")
			e.clock.Set(t0.Add(d - time.Second))
			assert.True(t, e.check(t, "alice", tok), "one second before expiry")
			list, err := e.d.List(t.Context(), "alice", e.clock.Now())
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.Equal(t, t0.Add(d), list[0].ExpiresAt, "use never extends the expiry")
			assert.Equal(t, t0.Add(d-time.Second), list[0].LastUsedAt)
			e.clock.Set(t0.Add(d))
			assert.False(t, e.check(t, "alice", tok), "at expiry")
			devs, err := e.mem.ListDevices(t.Context(), "alice")
			require.NoError(t, err)
			assert.Empty(t, devs, "an expired device is deleted on the way")
		})
	}
}

func TestRefusedAfterFactorChange(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	other := e.remember(t, "bob")
	require.NoError(t, e.m.Extension().Changed(t.Context(), factor.Event{Type: factor.EventReset, UserID: "alice", Time: t0, Actor: "admin"}))
	assert.False(t, e.check(t, "alice", tok))
	assert.True(t, e.check(t, "bob", other), "another user's devices stay")
	assert.Contains(t, e.events.types(), factor.EventDevicesRevoked)
}

func TestRefusedAfterRemoveResetDisable(t *testing.T) {
	tests := map[string]func(e *env, t *testing.T) error{
		"remove": func(e *env, t *testing.T) error {
			return e.m.Remove(t.Context(), factor.RemoveRequest{UserID: "alice", EnrollmentID: "e1"}, t0)
		},
		"admin reset": func(e *env, t *testing.T) error {
			_, err := e.m.Reset(t.Context(), factor.ResetRequest{UserID: "alice", Actor: "admin", Reason: "lost phone"}, t0)
			return err
		},
		"disable": func(e *env, t *testing.T) error {
			return e.m.Disable(t.Context(), factor.DisableRequest{UserID: "alice"}, t0)
		},
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, trust.Config{})
			en := &factor.Enrollment{ID: "e1", UserID: "alice", Kind: factor.KindTOTP, Confirmed: true, CreatedAt: t0, LastUsedAt: t0}
			require.NoError(t, e.mem.CreateEnrollment(t.Context(), en))
			tok := e.remember(t, "alice")
			require.NoError(t, change(e, t))
			assert.False(t, e.check(t, "alice", tok))
		})
	}
}

func TestRevokeAll(t *testing.T) {
	e := newEnv(t, trust.Config{})
	a, b := e.remember(t, "alice"), e.remember(t, "alice")
	other := e.remember(t, "bob")
	require.NoError(t, e.d.RevokeAll(t.Context(), "alice", "alice", t0))
	assert.False(t, e.check(t, "alice", a))
	assert.False(t, e.check(t, "alice", b))
	assert.True(t, e.check(t, "bob", other))
	ev := e.events.all()
	last := ev[len(ev)-1]
	assert.Equal(t, factor.EventDevicesRevoked, last.Type)
	assert.Equal(t, "alice", last.UserID)
}

func TestRevokeOne(t *testing.T) {
	e := newEnv(t, trust.Config{})
	a := e.remember(t, "alice")
	e.clock.Advance(time.Minute)
	b := e.remember(t, "alice")
	id, _ := trust.DeviceID(a)
	require.NoError(t, e.d.Revoke(t.Context(), "alice", id, "admin", t0))
	assert.False(t, e.check(t, "alice", a))
	assert.True(t, e.check(t, "alice", b))
	assert.ErrorIs(t, e.d.Revoke(t.Context(), "alice", id, "alice", t0), factor.ErrNotFound)
	idB, _ := trust.DeviceID(b)
	assert.ErrorIs(t, e.d.Revoke(t.Context(), "bob", idB, "bob", t0), factor.ErrNotFound, "bob cannot revoke alice's device")
	assert.True(t, e.check(t, "alice", b))
	ev := e.events.all()
	assert.Equal(t, factor.Event{Type: factor.EventDevicesRevoked, UserID: "alice", Time: t0, Actor: "admin", Reason: "device " + id}, ev[len(ev)-1])
}

func TestAnotherUsersToken(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	assert.False(t, e.check(t, "bob", tok))
	assert.False(t, e.check(t, "", tok))
	assert.True(t, e.check(t, "alice", tok), "a check for another user deletes nothing")
}

// TestTamperedToken changes every byte of a token to every other character
// of the token alphabet and to a few others: not one variant is trusted.
func TestTamperedToken(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	chars := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x00\xff"
	tried := 0
	for i := range len(tok) {
		for _, c := range []byte(chars) {
			if tok[i] == c {
				continue
			}
			b := []byte(tok)
			b[i] = c
			ok, err := e.d.Check(t.Context(), "alice", string(b), t0)
			require.NoError(t, err)
			require.False(t, ok, "byte %d changed to %q", i, c)
			tried++
		}
	}
	t.Logf("%d tampered tokens refused", tried)
	assert.True(t, e.check(t, "alice", tok))
}

func TestGarbageTokens(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	unknown := "AAAAAAAAAAAAAAAAAAAAAA" + tok[22:]
	tests := map[string]string{
		"empty":              "",
		"dot":                ".",
		"selector only":      tok[:22],
		"no dot":             tok[:22] + tok[23:],
		"extra byte":         tok + "A",
		"missing byte":       tok[:len(tok)-1],
		"padded":             tok + "=",
		"swapped halves":     tok[23:] + "." + tok[:22],
		"unknown selector":   unknown,
		"long":               strings.Repeat("A", 10000),
		"non-canonical tail": tok[:len(tok)-1] + "B",
		"spaces":             " " + tok[1:],
	}
	for name, garbage := range tests {
		ok, err := e.d.Check(t.Context(), "alice", garbage, t0)
		assert.NoError(t, err, name)
		assert.False(t, ok, name)
	}
}

func TestCheckStoreFailure(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	e.store.setBroken(true)
	ok, err := e.d.Check(t.Context(), "alice", tok, t0)
	assert.False(t, ok)
	assert.ErrorIs(t, err, errBroken)
	ok, err = e.d.Check(t.Context(), "alice", "garbage", t0)
	assert.False(t, ok)
	assert.NoError(t, err, "garbage never reaches the store")
	_, err = e.d.List(t.Context(), "alice", t0)
	assert.ErrorIs(t, err, errBroken)
}

func TestRememberRefuses(t *testing.T) {
	tests := []struct {
		name, user, label string
		d                 time.Duration
	}{
		{"duration not offered", "alice", "phone", 2 * time.Hour},
		{"over max", "alice", "phone", 31 * day},
		{"zero duration", "alice", "phone", 0},
		{"label over 100 bytes", "alice", strings.Repeat("x", 101), day},
		{"label not UTF-8", "alice", "\xff", day},
		{"no user", "", "phone", day},
		{"overlong user", strings.Repeat("u", 256), "phone", day},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, trust.Config{})
			tok, err := e.d.Remember(t.Context(), tt.user, tt.label, tt.d, t0)
			assert.ErrorIs(t, err, factor.ErrMalformed)
			assert.Empty(t, tok)
			devs, err := e.mem.ListDevices(t.Context(), tt.user)
			require.NoError(t, err)
			assert.Empty(t, devs)
			assert.Empty(t, e.events.all())
		})
	}
	e := newEnv(t, trust.Config{})
	_, err := e.d.Remember(t.Context(), "alice", strings.Repeat("x", 100), 12*time.Hour, t0)
	assert.NoError(t, err, "100 bytes is fine")
}

func TestList(t *testing.T) {
	e := newEnv(t, trust.Config{})
	_, err := e.d.Remember(t.Context(), "alice", "laptop", 12*time.Hour, t0)
	require.NoError(t, err)
	phone, err := e.d.Remember(t.Context(), "alice", "phone", 7*day, t0.Add(time.Hour))
	require.NoError(t, err)
	e.remember(t, "bob")
	e.clock.Set(t0.Add(13 * time.Hour))
	require.True(t, e.check(t, "alice", phone))
	list, err := e.d.List(t.Context(), "alice", e.clock.Now())
	require.NoError(t, err)
	id, _ := trust.DeviceID(phone)
	want := []trust.Device{{ID: id, Label: "phone", CreatedAt: t0.Add(time.Hour), LastUsedAt: t0.Add(13 * time.Hour), ExpiresAt: t0.Add(time.Hour + 7*day)}}
	assert.Equal(t, want, list, "the laptop has expired")
	devs, err := e.mem.ListDevices(t.Context(), "alice")
	require.NoError(t, err)
	assert.Len(t, devs, 1, "the expired laptop was deleted")
	_, err = e.d.List(t.Context(), "", t0)
	assert.ErrorIs(t, err, factor.ErrMalformed)
}
