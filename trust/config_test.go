package trust_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/trust"
)

const day = 24 * time.Hour

func TestNewConfig(t *testing.T) {
	m, err := factor.NewManager(factor.Config{Store: memstore.New()})
	require.NoError(t, err)
	tests := []struct {
		name      string
		cfg       trust.Config
		durations []time.Duration
		ok        bool
	}{
		{"zero", trust.Config{}, []time.Duration{12 * time.Hour, day, 3 * day, 7 * day}, true},
		{"own list", trust.Config{Durations: []time.Duration{time.Hour, 30 * day}}, []time.Duration{time.Hour, 30 * day}, true},
		{"higher max", trust.Config{Durations: []time.Duration{90 * day}, Max: 90 * day}, []time.Duration{90 * day}, true},
		{"over default max", trust.Config{Durations: []time.Duration{day, 31 * day}}, nil, false},
		{"over own max", trust.Config{Durations: []time.Duration{12 * time.Hour, day}, Max: 12 * time.Hour}, nil, false},
		{"default list over max", trust.Config{Max: 3 * day}, nil, false},
		{"negative duration", trust.Config{Durations: []time.Duration{-time.Hour}}, nil, false},
		{"sub-second duration", trust.Config{Durations: []time.Duration{time.Millisecond}}, nil, false},
		{"negative max", trust.Config{Max: -day}, nil, false},
		{"max over 400 days", trust.Config{Max: 401 * day}, nil, false},
		{"cookie without __Host-", trust.Config{CookieName: "device"}, nil, false},
		{"__Secure- cookie", trust.Config{CookieName: "__Secure-device"}, nil, false},
		{"invalid cookie name", trust.Config{CookieName: "__Host-a b"}, nil, false},
		{"negative MaxDevices", trust.Config{MaxDevices: -1}, nil, false},
		{"MaxDevices over 1000", trust.Config{MaxDevices: 1001}, nil, false},
		{"MaxDevices 1", trust.Config{MaxDevices: 1}, []time.Duration{12 * time.Hour, day, 3 * day, 7 * day}, true},
		{"own cookie name", trust.Config{CookieName: "__Host-remember"}, []time.Duration{12 * time.Hour, day, 3 * day, 7 * day}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := trust.New(m, tt.cfg)
			if !tt.ok {
				assert.ErrorIs(t, err, factor.ErrInvalidConfig)
				var ce *factor.ConfigError
				assert.ErrorAs(t, err, &ce)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.durations, d.Durations())
		})
	}
	_, err = trust.New(nil, trust.Config{})
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
}

func TestConfigIsCopied(t *testing.T) {
	m, err := factor.NewManager(factor.Config{Store: memstore.New()})
	require.NoError(t, err)
	list := []time.Duration{day}
	d, err := trust.New(m, trust.Config{Durations: list})
	require.NoError(t, err)
	list[0] = 365 * day
	d.Durations()[0] = 365 * day
	assert.Equal(t, []time.Duration{day}, d.Durations())
}
