package recovery_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/recovery"
)

// FuzzNormalize checks that Normalize never panics, accepts nothing over 64
// bytes, returns only Crockford symbols, is idempotent, and survives a
// round trip through Format and lower case.
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		got, err := recovery.Normalize(in)
		if err != nil {
			require.ErrorIs(t, err, factor.ErrMalformed)
			require.Empty(t, got)
			return
		}
		require.LessOrEqual(t, len(in), 64)
		require.NotEmpty(t, got)
		for _, c := range got {
			require.True(t, strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c), "symbol %q", c)
		}
		again, err := recovery.Normalize(got)
		require.NoError(t, err)
		assert.Equal(t, got, again)
		formatted := strings.ToLower(recovery.Format(got, 4))
		if len(formatted) > 64 {
			return // the dashes made it too long to type in
		}
		back, err := recovery.Normalize(formatted)
		require.NoError(t, err)
		assert.Equal(t, got, back)
	})
}
