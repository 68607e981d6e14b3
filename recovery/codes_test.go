package recovery_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
)

func TestNewConfig(t *testing.T) {
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Keys: []factor.ServerKey{testKey("k1")}})
	require.NoError(t, err)
	tests := []struct {
		name string
		cfg  recovery.Config
		want recovery.Config
		ok   bool
	}{
		{"zero", recovery.Config{}, recovery.Config{Count: 10, Groups: 4, GroupSize: 4}, true},
		{"seed look, 60 bits", recovery.Config{Groups: 3}, recovery.Config{Count: 10, Groups: 3, GroupSize: 4}, true},
		{"one code", recovery.Config{Count: 1}, recovery.Config{Count: 1, Groups: 4, GroupSize: 4}, true},
		{"50 codes", recovery.Config{Count: 50}, recovery.Config{Count: 50, Groups: 4, GroupSize: 4}, true},
		{"160 bits", recovery.Config{Groups: 8}, recovery.Config{Count: 10, Groups: 8, GroupSize: 4}, true},
		{"55 bits", recovery.Config{Groups: 11, GroupSize: 1}, recovery.Config{}, false},
		{"two groups of five", recovery.Config{Groups: 2, GroupSize: 5}, recovery.Config{}, false},
		{"51 codes", recovery.Config{Count: 51}, recovery.Config{}, false},
		{"negative count", recovery.Config{Count: -1}, recovery.Config{}, false},
		{"negative groups", recovery.Config{Groups: -4}, recovery.Config{}, false},
		{"negative group size", recovery.Config{GroupSize: -4}, recovery.Config{}, false},
		{"over 32 characters", recovery.Config{Groups: 11, GroupSize: 3}, recovery.Config{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := recovery.New(m, tt.cfg)
			if !tt.ok {
				assert.ErrorIs(t, err, factor.ErrInvalidConfig)
				var ce *factor.ConfigError
				assert.ErrorAs(t, err, &ce)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Config())
		})
	}
	_, err = recovery.New(nil, recovery.Config{})
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		name string
		cfg  recovery.Config
		re   string
	}{
		{"default", recovery.Config{}, `^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`},
		{"seed look", recovery.Config{Groups: 3}, `^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}$`},
		{"five of 3x5", recovery.Config{Count: 5, Groups: 3, GroupSize: 5}, `^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){2}$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, factor.Config{})
			c := newCodes(t, e, tt.cfg)
			codes, err := c.Generate(t.Context(), "alice", t0)
			require.NoError(t, err)
			assert.Len(t, codes, c.Config().Count)
			for _, code := range codes {
				assert.Regexp(t, regexp.MustCompile(tt.re), code)
			}
			assertDistinct(t, codes)
			n, err := c.Remaining(t.Context(), "alice")
			require.NoError(t, err)
			assert.Equal(t, c.Config().Count, n)
			assert.Equal(t, []factor.EventType{factor.EventRecoveryGenerated}, e.events.types())
		})
	}
}

func assertDistinct(t *testing.T, codes []string) {
	t.Helper()
	seen := make(map[string]bool)
	for _, c := range codes {
		assert.False(t, seen[c], "duplicate %s", c)
		seen[c] = true
	}
}

func TestRedeemAnyOrder(t *testing.T) {
	e := newEnv(t, factor.Config{Lockout: factor.Lockout{Limit: 20}})
	c := newCodes(t, e, recovery.Config{})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	order := []int{7, 2, 9, 0, 5, 3, 8, 1, 6, 4}
	for i, k := range order {
		res, err := c.Redeem(t.Context(), "alice", codes[k], t0)
		require.NoError(t, err, "code %d", k)
		left := len(codes) - i - 1
		assert.Equal(t, recovery.Redemption{Remaining: left, Low: left <= 3}, res)
	}
	assert.Equal(t, len(codes), e.events.count(factor.EventRecoveryUsed))
	for _, code := range codes {
		_, err := c.Redeem(t.Context(), "alice", code, t0)
		assert.ErrorIs(t, err, factor.ErrInvalidCode, "a used code must be refused")
	}
}

func TestRedeemLowAtThree(t *testing.T) {
	e := newEnv(t, factor.Config{})
	c := newCodes(t, e, recovery.Config{Count: 5})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	want := []recovery.Redemption{{4, false}, {3, true}, {2, true}, {1, true}, {0, true}}
	for i, code := range codes {
		res, err := c.Redeem(t.Context(), "alice", code, t0)
		require.NoError(t, err)
		assert.Equal(t, want[i], res)
	}
}

func TestRedeemAcceptsTypingVariants(t *testing.T) {
	variants := []struct {
		name string
		edit func(string) string
	}{
		{"lower case", strings.ToLower},
		{"spaces", func(s string) string { return strings.ReplaceAll(s, "-", " ") }},
		{"no dashes", func(s string) string { return strings.ReplaceAll(s, "-", "") }},
		{"en dash", func(s string) string { return strings.ReplaceAll(s, "-", "\u2013") }},
		{"em dash", func(s string) string { return strings.ReplaceAll(s, "-", "\u2014") }},
		{"minus sign", func(s string) string { return strings.ReplaceAll(s, "-", "\u2212") }},
		{"non-breaking hyphen", func(s string) string { return strings.ReplaceAll(s, "-", "\u2011") }},
		{"surrounding space", func(s string) string { return "  " + s + "\n" }},
		{"look-alikes", func(s string) string {
			return strings.NewReplacer("0", "O", "1", "l").Replace(strings.ToLower(s))
		}},
	}
	e := newEnv(t, factor.Config{Rand: fixedRand(1)})
	c := newCodes(t, e, recovery.Config{Count: len(variants) + 1})
	codes, err := c.Generate(t.Context(), "alice", t0)
	require.NoError(t, err)
	// The look-alike case needs a code with a 0 or a 1 in it.
	k := slices.IndexFunc(codes, func(s string) bool { return strings.ContainsAny(s, "01") })
	require.GreaterOrEqual(t, k, 0)
	alike := codes[k]
	codes = slices.Delete(codes, k, k+1)
	for i, v := range variants {
		typed := v.edit(codes[i])
		if v.name == "look-alikes" {
			typed = v.edit(alike)
		}
		_, err := c.Redeem(t.Context(), "alice", typed, t0)
		assert.NoError(t, err, "%s: %q", v.name, typed)
	}
}
