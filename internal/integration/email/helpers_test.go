package email_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
)

// newFactor is a copy of the helper in email's own tests, which this
// module cannot import.
func newFactor(t testing.TB, cfg email.Config) *email.Factor {
	t.Helper()
	f, err := email.New(cfg)
	require.NoError(t, err)
	return f
}
