package trust_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/trust"
)

func TestRefusedAfterRecoveryCodeUse(t *testing.T) {
	e := newEnv(t, trust.Config{})
	codes, err := recovery.New(e.m, recovery.Config{})
	require.NoError(t, err)
	list, err := codes.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	tok := e.remember(t, "alice")
	require.True(t, e.check(t, "alice", tok), "generating codes leaves devices alone")
	_, err = codes.Redeem(t.Context(), "alice", list[0], t0)
	require.NoError(t, err)
	assert.False(t, e.check(t, "alice", tok))
}
