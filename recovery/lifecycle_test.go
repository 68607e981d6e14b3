package recovery_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
)

func TestRegenerateReplacesOldCodes(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{})
	old, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	_, err = c.Redeem(t.Context(), "alice", old[0], t0)
	require.NoError(t, err)
	fresh, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	n, err := c.Remaining(t.Context(), "alice")
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	for _, code := range old[1:] {
		_, err := c.Redeem(t.Context(), "alice", code, t0)
		assert.ErrorIs(t, err, factor.ErrInvalidCode, "old code %s must be gone", code)
	}
	_, err = c.Redeem(t.Context(), "alice", fresh[9], t0)
	assert.NoError(t, err)
}

func TestRedeemRevokesTrustedDevices(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	for _, id := range []string{"d1", "d2"} {
		dev := &factor.TrustedDevice{ID: id, UserID: "alice", ValidatorHash: []byte{1}, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		require.NoError(t, e.mem.CreateDevice(t.Context(), dev))
	}
	require.NoError(t, e.mem.CreateDevice(t.Context(), &factor.TrustedDevice{ID: "d3", UserID: "bob", ExpiresAt: t0.Add(time.Hour)}))
	_, err = c.Redeem(t.Context(), "alice", codes[3], t0)
	require.NoError(t, err)
	devs, err := e.mem.ListDevices(t.Context(), "alice")
	require.NoError(t, err)
	assert.Empty(t, devs)
	devs, err = e.mem.ListDevices(t.Context(), "bob")
	require.NoError(t, err)
	assert.Len(t, devs, 1, "another user's devices stay")
	types := e.events.types()
	assert.Equal(t, []factor.EventType{factor.EventRecoveryGenerated, factor.EventRecoveryUsed, factor.EventDevicesRevoked}, types)
}

func TestRedeemAfterKeyRotation(t *testing.T) {
	mem := memstore.New()
	before := newEnv(t, factor.Config{Store: mem, Keys: []factor.ServerKey{testKey("old")}})
	codes, err := newCodes(t, before, recovery.Config{}).Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	after := newEnv(t, factor.Config{Store: mem, Keys: []factor.ServerKey{testKey("new"), testKey("old")}})
	c := newCodes(t, after, recovery.Config{})
	res, err := c.Redeem(t.Context(), "alice", codes[0], t0)
	require.NoError(t, err)
	assert.Equal(t, 9, res.Remaining)
	gone := newEnv(t, factor.Config{Store: mem, Keys: []factor.ServerKey{testKey("new")}})
	_, err = newCodes(t, gone, recovery.Config{}).Redeem(t.Context(), "alice", codes[1], t0)
	assert.ErrorIs(t, err, factor.ErrInvalidCode, "a retired key's hashes no longer match")
}

func TestSecretsStayOutOfLogsAndEvents(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	_, err = c.Redeem(t.Context(), "alice", codes[0], t0)
	require.NoError(t, err)
	_, err = c.Redeem(t.Context(), "alice", codes[0], t0)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), codes[0])
	var events bytes.Buffer
	for _, ev := range e.events.events {
		events.WriteString(ev.UserID + ev.Reason + ev.EnrollmentID + ev.Actor)
	}
	for _, code := range codes {
		plain := strings.ReplaceAll(code, "-", "")
		for _, s := range []string{code, plain, strings.ToLower(plain)} {
			assert.False(t, e.log.Contains(s), "log holds %s", s)
			assert.NotContains(t, events.String(), s)
		}
	}
}

func TestRemainingRefusesBadUser(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{})
	_, err := c.Remaining(t.Context(), "")
	assert.ErrorIs(t, err, factor.ErrMalformed)
	_, err = c.Generate(t.Context(), "", t0)
	assert.ErrorIs(t, err, factor.ErrMalformed)
	n, err := c.Remaining(t.Context(), "nobody")
	require.NoError(t, err)
	assert.Zero(t, n)
}
