package trust

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseToken checks that parseToken never panics and accepts only
// canonical tokens: whatever it accepts re-encodes to exactly the input, so
// no two spellings name the same device and validator.
func FuzzParseToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, token string) {
		id, validator, ok := parseToken(token)
		if !ok {
			require.Empty(t, id)
			require.Nil(t, validator)
			return
		}
		require.Len(t, validator, validatorBytes)
		require.Len(t, id, idLen)
		require.Equal(t, token, id+"."+encoding.EncodeToString(validator))
		got, ok := DeviceID(token)
		require.True(t, ok)
		require.Equal(t, id, got)
	})
}
