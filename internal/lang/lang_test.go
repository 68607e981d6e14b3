package lang

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatch(t *testing.T) {
	m := New("en", "nl")
	for pref, want := range map[string]string{
		"nl-BE,nl;q=0.9":         "nl",
		"nl":                     "nl",
		"en-US":                  "en",
		"en;q=0.1, nl":           "nl",
		"de":                     "en",
		"":                       "en",
		"!!garbage":              "en",
		strings.Repeat("a", 600): "en",
	} {
		assert.Equal(t, want, m.Match(pref), pref)
	}
	assert.Equal(t, "nl", New("nl", "en").Match("fr"), "the default comes first")
}
