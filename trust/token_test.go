package trust

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenRoundTrip(t *testing.T) {
	for range 100 {
		id, validator, token, err := newToken(rand.Reader)
		require.NoError(t, err)
		require.Len(t, token, tokenLen)
		gotID, gotValidator, ok := parseToken(token)
		require.True(t, ok)
		assert.Equal(t, id, gotID)
		assert.Equal(t, validator, gotValidator)
	}
}

func TestTokenSizes(t *testing.T) {
	assert.GreaterOrEqual(t, selectorBytes*8, 96, "the selector must carry at least 96 bits")
	assert.Equal(t, 256, validatorBytes*8)
	assert.Equal(t, 22, idLen)
	assert.Equal(t, 43, validatorLen)
	assert.Equal(t, 66, tokenLen)
}

func TestNewTokenShortRead(t *testing.T) {
	_, _, _, err := newToken(bytes.NewReader(make([]byte, 47)))
	assert.Error(t, err)
}

func TestParseTokenRefusesNonCanonical(t *testing.T) {
	_, _, token, err := newToken(bytes.NewReader(make([]byte, 48)))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("A", 22)+"."+strings.Repeat("A", 43), token)
	_, _, ok := parseToken(token)
	require.True(t, ok)
	// The last character of each part carries unused bits: B sets one of
	// them and decodes to the same bytes under lenient decoding.
	for _, bad := range []string{
		strings.Repeat("A", 21) + "B." + strings.Repeat("A", 43),
		strings.Repeat("A", 22) + "." + strings.Repeat("A", 42) + "B",
	} {
		_, _, ok := parseToken(bad)
		assert.False(t, ok, bad)
	}
}
