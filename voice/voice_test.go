package voice_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/phone"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/voice"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func newFactor(t testing.TB, cfg voice.Config) *voice.Factor {
	t.Helper()
	f, err := voice.New(cfg)
	require.NoError(t, err)
	return f
}

func TestPrepare(t *testing.T) {
	f := newFactor(t, voice.Config{})
	tests := []struct {
		in, want string
		err      error
	}{
		{"06-12345678", "+31612345678", nil},
		{"+31 (0)6 1234 5678", "+31612345678", nil},
		{"020-1234567", "+31201234567", nil},
		{"085 123 4567", "+31851234567", nil},
		{"0900-1234567", "", phone.ErrPremiumRate},
		{"0800-1234567", "", phone.ErrTollFree},
		{"0970 12345678", "", phone.ErrMachineToMachine},
		{"020-1234567 ext. 12", "", phone.ErrExtension},
		{"+32 470 12 34 56", "", phone.ErrRegionNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e := factor.Enrollment{Address: tt.in}
			err := f.Prepare(&e)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				require.ErrorIs(t, err, factor.ErrMalformed)
				assert.NotContains(t, err.Error(), strings.TrimPrefix(tt.in, "0"))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.Address)
			assert.NotEmpty(t, e.Label)
		})
	}
	be := newFactor(t, voice.Config{Phones: phone.Parser{AllowedRegions: []string{"NL", "BE"}}})
	e := factor.Enrollment{Address: "+32 470 12 34 56"}
	require.NoError(t, be.Prepare(&e))
	assert.Equal(t, "+32470123456", e.Address)
}

func compose(t *testing.T, f *voice.Factor, code, lang string, keypad bool) factor.Message {
	t.Helper()
	sentAt := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	e := &factor.Enrollment{ID: "e1", UserID: "alice", Kind: factor.KindVoice, Address: "+31201234567"}
	c := &factor.Challenge{ID: "c1", UserID: "alice", EnrollmentID: "e1", Kind: factor.KindVoice, Keypad: keypad, SentAt: sentAt, ExpiresAt: sentAt.Add(5 * time.Minute)}
	m, err := f.Compose(e, c, code, lang)
	require.NoError(t, err)
	return m
}

func TestGolden(t *testing.T) {
	f := newFactor(t, voice.Config{AppName: "Acme"})
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			spoken := compose(t, f, "123456", lang, false)
			assert.Equal(t, 2, strings.Count(spoken.Text, "1, 2, 3, 4, 5, 6"), "digit by digit, twice")
			messagetest.Golden(t, "voice."+lang, spoken.Text+"\n", *update)

			keypad := compose(t, f, "47", lang, true)
			assert.NotContains(t, keypad.Text, "47", "the call never speaks the screen digits")
			assert.NotContains(t, keypad.Text, "4, 7")
			assert.True(t, keypad.Keypad)
			assert.Equal(t, "47", keypad.Code, "the provider learns how many digits to gather")
			messagetest.Golden(t, "voice-keypad."+lang, keypad.Text+"\n", *update)
		})
	}
}

func TestComposeLanguage(t *testing.T) {
	f := newFactor(t, voice.Config{})
	assert.Equal(t, "nl", compose(t, f, "123456", "nl-BE,nl;q=0.9", false).Language)
	assert.Equal(t, "en", compose(t, f, "123456", "en-US", true).Language)
	assert.Equal(t, "en", compose(t, f, "123456", "", false).Language, "English by default, as factor.UserMessage")
	assert.Equal(t, "nl", compose(t, newFactor(t, voice.Config{DefaultLanguage: "nl"}), "123456", "", false).Language)
	m := compose(t, f, "1", "nl", true)
	assert.Contains(t, m.Text, "het cijfer dat op uw scherm staat", "one digit reads right")
}

func TestNewRefusesBadConfig(t *testing.T) {
	_, err := voice.New(voice.Config{Phones: phone.Parser{DefaultRegion: "XX"}})
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
	_, err = voice.New(voice.Config{AppName: "a\tb"})
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
}

func TestSetPrimary(t *testing.T) {
	env := messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{newFactor(t, voice.Config{})}})
	first := env.EnrollConfirmed(t, "alice", factor.KindVoice, "020-1234567")
	second := env.EnrollConfirmed(t, "alice", factor.KindVoice, "06-12345678")
	require.NoError(t, env.M.SetPrimary(context.Background(), "alice", second.ID, env.Now()))
	list, err := env.M.Enrollments(context.Background(), "alice", env.Now())
	require.NoError(t, err)
	got := map[string]bool{}
	for _, e := range list {
		got[e.ID] = e.Primary
	}
	assert.Equal(t, map[string]bool{first.ID: false, second.ID: true}, got)
}
