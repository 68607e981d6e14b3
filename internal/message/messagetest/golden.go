// Package messagetest helps the sms, voice and email packages test: Env
// is a Manager on a memstore with a recording sender, a settable clock and
// a captured log that is searched for leaked codes, numbers and addresses
// when the test ends; Golden compares messages with golden files.
package messagetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Golden compares got with the file testdata/<name>.golden, or writes got
// there when update is set (go test -update).
func Golden(t *testing.T, name, got string, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), got, "golden file %s; run go test -update after checking the change", path)
}
