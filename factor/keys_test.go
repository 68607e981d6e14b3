package factor_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

func testKey(id string, b byte) factor.ServerKey {
	return factor.ServerKey{ID: id, Secret: bytes.Repeat([]byte{b}, 32)}
}

func TestSealerRoundTripAndTamper(t *testing.T) {
	s, err := factor.NewSealer([]factor.ServerKey{testKey("k1", 1)})
	require.NoError(t, err)
	secret := []byte("12345678901234567890")
	sealed, err := s.Seal(secret, []byte("ad-a"))
	require.NoError(t, err)
	assert.False(t, bytes.Contains(sealed, secret), "ciphertext holds the plaintext")

	got, err := s.Open(sealed, []byte("ad-a"))
	require.NoError(t, err)
	assert.Equal(t, secret, got)

	_, err = s.Open(sealed, []byte("ad-b"))
	assert.ErrorIs(t, err, factor.ErrSealed, "moved to another enrollment")
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		_, err := s.Open(bad, []byte("ad-a"))
		assert.ErrorIs(t, err, factor.ErrSealed, "byte %d flipped", i)
	}
	_, err = s.Open(sealed[:10], []byte("ad-a"))
	assert.ErrorIs(t, err, factor.ErrSealed)
	_, err = s.Open(nil, nil)
	assert.ErrorIs(t, err, factor.ErrSealed)
}

func TestSealerRotation(t *testing.T) {
	old, err := factor.NewSealer([]factor.ServerKey{testKey("old", 1)})
	require.NoError(t, err)
	sealed, err := old.Seal([]byte("secret"), nil)
	require.NoError(t, err)
	mac := old.MAC("p", "u", []byte("code"))

	rotated, err := factor.NewSealer([]factor.ServerKey{testKey("new", 2), testKey("old", 1)})
	require.NoError(t, err)
	got, err := rotated.Open(sealed, nil)
	require.NoError(t, err, "rows sealed with the old key still open")
	assert.Equal(t, []byte("secret"), got)
	assert.False(t, rotated.Current(sealed), "old rows want re-sealing")
	assert.True(t, rotated.CheckMAC(mac, "p", "u", []byte("code")), "old hashes still check")

	resealed, err := rotated.Seal(got, nil)
	require.NoError(t, err)
	assert.True(t, rotated.Current(resealed))

	onlyNew, err := factor.NewSealer([]factor.ServerKey{testKey("new", 2)})
	require.NoError(t, err)
	_, err = onlyNew.Open(resealed, nil)
	assert.NoError(t, err, "after re-sealing only the new key is needed")
	_, err = onlyNew.Open(sealed, nil)
	assert.ErrorIs(t, err, factor.ErrSealed)
}

func TestSealerMACBinding(t *testing.T) {
	s, err := factor.NewSealer([]factor.ServerKey{testKey("k", 3)})
	require.NoError(t, err)
	mac := s.MAC("recovery", "alice", []byte("ABCD"))
	assert.True(t, s.CheckMAC(mac, "recovery", "alice", []byte("ABCD")))
	assert.False(t, s.CheckMAC(mac, "recovery", "bob", []byte("ABCD")), "bound to the user")
	assert.False(t, s.CheckMAC(mac, "device", "alice", []byte("ABCD")), "bound to the purpose")
	assert.False(t, s.CheckMAC(mac, "recovery", "alice", []byte("ABCE")))
	assert.False(t, s.CheckMAC(mac[:len(mac)-1], "recovery", "alice", []byte("ABCD")))
	assert.False(t, s.CheckMAC(nil, "recovery", "alice", []byte("ABCD")))
	assert.Len(t, s.MACs("recovery", "alice", []byte("ABCD")), 1)
}

func TestNewSealerRefusesBadKeys(t *testing.T) {
	for name, keys := range map[string][]factor.ServerKey{
		"none":      nil,
		"short":     {{ID: "k", Secret: []byte("short")}},
		"no id":     {{Secret: bytes.Repeat([]byte{1}, 32)}},
		"duplicate": {testKey("k", 1), testKey("k", 2)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := factor.NewSealer(keys)
			assert.ErrorIs(t, err, factor.ErrInvalidConfig)
		})
	}
}
