package trust_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/trust"
)

func TestLabel(t *testing.T) {
	tests := map[string]struct{ ua, want string }{
		"chrome on windows": {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome / Windows"},
		"edge on windows":   {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge / Windows"},
		"safari on iphone":  {"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari / iPhone"},
		"safari on mac":     {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari / Mac"},
		"chrome on android": {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome / Android"},
		"firefox on linux":  {"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox / Linux"},
		"curl":              {"curl/8.5.0", "Browser"},
		"empty":             {"", "Browser"},
		"huge and invalid":  {strings.Repeat("\xff", 1<<16) + " Firefox/1 Linux", "Firefox / Linux"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.want, trust.Label(tt.ua))
		})
	}
}

// TestRememberWithLabelOfLongUserAgent: a real browser's User-Agent is
// often longer than a label may be; through Label it always fits.
func TestRememberWithLabelOfLongUserAgent(t *testing.T) {
	e := newEnv(t, trust.Config{})
	ua := "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	require.Greater(t, len(ua), 100)
	_, err := e.d.Remember(t.Context(), "alice", ua, 0, e.clock.Now())
	require.Error(t, err, "too long a label is refused")
	_, err = e.d.Remember(t.Context(), "alice", trust.Label(ua), e.d.Durations()[0], e.clock.Now())
	require.NoError(t, err)
	list, err := e.d.List(t.Context(), "alice", e.clock.Now())
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "Safari / iPhone", list[0].Label)
}
