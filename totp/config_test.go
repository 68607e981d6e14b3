package totp

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

func TestNewDefaults(t *testing.T) {
	f, err := New(Config{Issuer: "ACME Co"})
	require.NoError(t, err)
	cfg := f.Config()
	assert.Equal(t, "ACME Co", cfg.Issuer)
	assert.Equal(t, SHA1, cfg.Algorithm)
	assert.Equal(t, 6, cfg.Digits)
	assert.Equal(t, 30*time.Second, cfg.Period)
	assert.Equal(t, 20, cfg.SecretSize)
	assert.Equal(t, 1, cfg.Window.Behind())
	assert.Equal(t, 1, cfg.Window.Ahead())
	assert.Equal(t, factor.KindTOTP, f.Kind())
}

func TestWindow(t *testing.T) {
	tests := []struct {
		w             Window
		behind, ahead int
	}{
		{Window{}, 1, 1},
		{Steps(1, 0), 1, 0},
		{Steps(0, 0), 0, 0},
		{Steps(2, 3), 2, 3},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.behind, tt.w.Behind())
		assert.Equal(t, tt.ahead, tt.w.Ahead())
		f, err := New(Config{Issuer: "X", Window: tt.w})
		require.NoError(t, err)
		assert.Equal(t, tt.behind, f.Config().Window.Behind())
		assert.Equal(t, tt.ahead, f.Config().Window.Ahead())
	}
}

func TestNewAcceptsAllowedValues(t *testing.T) {
	for _, cfg := range []Config{
		{Issuer: "X", Algorithm: SHA256, Digits: 8},
		{Issuer: "X", Algorithm: SHA512, Period: 120 * time.Second},
		{Issuer: "X", Period: time.Second, SecretSize: 14},
		{Issuer: "X", SecretSize: 128, Window: Steps(10, 10)},
		{Issuer: "Zorg & Welzijn B.V.", Window: Steps(0, 0)},
		{Issuer: strings.Repeat("é", 50)},
	} {
		_, err := New(cfg)
		assert.NoError(t, err, "%+v", cfg)
	}
}

func TestNewRefusesUnsafeConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"empty issuer", Config{}, "Issuer"},
		{"issuer with colon", Config{Issuer: "ACME:Co"}, "Issuer"},
		{"issuer too long", Config{Issuer: strings.Repeat("x", 101)}, "Issuer"},
		{"issuer not UTF-8", Config{Issuer: "ACME\xff"}, "Issuer"},
		{"issuer with newline", Config{Issuer: "ACME\nCo"}, "Issuer"},
		{"unknown algorithm", Config{Issuer: "X", Algorithm: 3}, "Algorithm"},
		{"negative algorithm", Config{Issuer: "X", Algorithm: -1}, "Algorithm"},
		{"digits 7", Config{Issuer: "X", Digits: 7}, "Digits"},
		{"digits 4", Config{Issuer: "X", Digits: 4}, "Digits"},
		{"digits 10", Config{Issuer: "X", Digits: 10}, "Digits"},
		{"negative digits", Config{Issuer: "X", Digits: -6}, "Digits"},
		{"period 121s", Config{Issuer: "X", Period: 121 * time.Second}, "Period"},
		{"period 500ms", Config{Issuer: "X", Period: 500 * time.Millisecond}, "Period"},
		{"period 30.5s", Config{Issuer: "X", Period: 30500 * time.Millisecond}, "Period"},
		{"negative period", Config{Issuer: "X", Period: -30 * time.Second}, "Period"},
		{"13-byte secret", Config{Issuer: "X", SecretSize: 13}, "SecretSize"},
		{"129-byte secret", Config{Issuer: "X", SecretSize: 129}, "SecretSize"},
		{"negative secret size", Config{Issuer: "X", SecretSize: -20}, "SecretSize"},
		{"11 steps behind", Config{Issuer: "X", Window: Steps(11, 0)}, "Window"},
		{"11 steps ahead", Config{Issuer: "X", Window: Steps(0, 11)}, "Window"},
		{"negative steps", Config{Issuer: "X", Window: Steps(-1, 1)}, "Window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *Factor
			var err error
			require.NotPanics(t, func() { f, err = New(tt.cfg) })
			assert.Nil(t, f)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "totp.Config."+tt.field, ce.Field)
			assert.NotEmpty(t, ce.Reason)
		})
	}
}

func TestAlgorithmString(t *testing.T) {
	assert.Equal(t, "SHA1", SHA1.String())
	assert.Equal(t, "SHA256", SHA256.String())
	assert.Equal(t, "SHA512", SHA512.String())
	assert.Equal(t, "Algorithm(7)", Algorithm(7).String())
	for _, s := range []string{"sha1", "SHA256", "Sha512"} {
		_, ok := parseAlgorithm(s)
		assert.True(t, ok, s)
	}
	_, ok := parseAlgorithm("MD5")
	assert.False(t, ok)
}
