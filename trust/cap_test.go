package trust_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/trust"
)

// TestMaxDevices trusts more devices than Config.MaxDevices allows, a
// minute apart: the oldest go first, each with an EventDevicesRevoked,
// the newest stay, and another user's devices are untouched. An expired
// device goes before any live one.
func TestMaxDevices(t *testing.T) {
	for _, tt := range []struct {
		name    string
		max     int
		trusted int
		want    int
	}{
		{"default of 10", 0, 12, 10},
		{"one", 1, 3, 1},
		{"three, not reached", 3, 2, 2},
		{"three, reached", 3, 3, 3},
		{"three, passed", 3, 7, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, trust.Config{MaxDevices: tt.max})
			bob := e.remember(t, "bob")
			var tokens []string
			for range tt.trusted {
				e.clock.Advance(time.Minute)
				tokens = append(tokens, e.remember(t, "alice"))
			}
			list, err := e.d.List(t.Context(), "alice", e.clock.Now())
			require.NoError(t, err)
			require.Len(t, list, tt.want)
			for i, tok := range tokens {
				kept := i >= tt.trusted-tt.want
				assert.Equal(t, kept, e.check(t, "alice", tok), "device %d of %d", i+1, tt.trusted)
			}
			assert.True(t, e.check(t, "bob", bob))

			limit := tt.max
			if limit == 0 {
				limit = 10
			}
			evicted := 0
			for _, ev := range e.events.all() {
				if ev.Type == factor.EventDevicesRevoked {
					assert.Equal(t, "alice", ev.UserID)
					assert.Contains(t, ev.Reason, fmt.Sprintf("more than %d devices", limit))
					evicted++
				}
			}
			assert.Equal(t, tt.trusted-tt.want, evicted)
		})
	}
	t.Run("expired first", func(t *testing.T) {
		e := newEnv(t, trust.Config{MaxDevices: 2})
		old, err := e.d.Remember(t.Context(), "alice", "Old", 7*24*time.Hour, e.clock.Now())
		require.NoError(t, err)
		e.clock.Advance(time.Minute)
		short, err := e.d.Remember(t.Context(), "alice", "Short", 12*time.Hour, e.clock.Now())
		require.NoError(t, err)
		e.clock.Advance(13 * time.Hour)
		newest := e.remember(t, "alice")
		assert.True(t, e.check(t, "alice", old), "the oldest live device stays while an expired one can go")
		assert.False(t, e.check(t, "alice", short))
		assert.True(t, e.check(t, "alice", newest))
		for _, ev := range e.events.all() {
			assert.NotEqual(t, factor.EventDevicesRevoked, ev.Type, "an expired device is no eviction")
		}
	})
}
