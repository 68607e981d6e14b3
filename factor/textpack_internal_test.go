package factor

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEveryUserTextHasAKey keeps the pack keys in step with userTexts: a
// text added there without a key would be missing from every pack.
func TestEveryUserTextHasAKey(t *testing.T) {
	seen := map[string]bool{}
	for _, ut := range userTexts {
		k, ok := keyed[ut.err]
		if assert.True(t, ok, "no pack key for %v", ut.err) {
			assert.False(t, seen[k], "key %q used twice", k)
			seen[k] = true
		}
	}
	assert.Len(t, keyed, len(userTexts), "keyed names an error userTexts does not have")
}
