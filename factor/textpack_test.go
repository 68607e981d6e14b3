package factor_test

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// german is a complete pack, every text marked so a test can tell it from
// English.
func german(t *testing.T) factor.TextPack {
	t.Helper()
	en := factor.BuiltinTexts("en")
	de := factor.TextPack{Language: "de", Texts: map[string]string{}}
	for k, s := range en.Texts {
		de.Texts[k] = "DE " + s
	}
	de.Texts["locked"] = "Zu viele falsche Versuche. Bitte versuchen Sie es in {wait} erneut."
	de.Texts["wait-minutes"] = "{n} Minuten"
	return de
}

func TestTextsSpeakThePack(t *testing.T) {
	texts, err := factor.NewTexts(german(t))
	require.NoError(t, err)
	for _, err := range append(factor.UserErrors(), errors.New("operational")) {
		de := texts.UserMessage(err, "de-AT,de;q=0.9")
		assert.NotEmpty(t, de)
		assert.NotEqual(t, factor.UserMessage(err, "en"), de, "%v", err)
		assert.NotContains(t, de, "{", "%v: a placeholder is left", err)
		assert.Equal(t, factor.UserMessage(err, "nl"), texts.UserMessage(err, "nl"), "Dutch stays built in")
		assert.Equal(t, factor.UserMessage(err, "en"), texts.UserMessage(err, "fr"), "English for anyone else")
	}
	locked := &factor.LockedError{RetryAfter: 14*time.Minute + time.Second}
	assert.Equal(t, "Zu viele falsche Versuche. Bitte versuchen Sie es in 15 Minuten erneut.", texts.UserMessage(locked, "de"))
	r := texts.ReplyFor(locked, "de")
	assert.Equal(t, 429, r.Status)
	assert.Equal(t, "841", r.RetryAfterHeader())
	assert.Equal(t, "", texts.UserMessage(nil, "de"))
}

func TestBuiltinTextsAreAPack(t *testing.T) {
	for _, l := range []string{"nl", "en"} {
		p := factor.BuiltinTexts(l)
		assert.Equal(t, l, p.Language)
		texts, err := factor.NewTexts(p)
		require.NoError(t, err, "the built-in %s pack passes the checks", l)
		for _, e := range factor.UserErrors() {
			assert.Equal(t, factor.UserMessage(e, l), texts.UserMessage(e, l))
		}
	}
	assert.Equal(t, "en", factor.BuiltinTexts("de").Language)
	p := factor.BuiltinTexts("en")
	p.Texts["generic"] = "changed"
	assert.Equal(t, "Something went wrong. Please try again later.", factor.UserMessage(errors.New("x"), "en"), "BuiltinTexts returns a copy")
}

func TestPackRewordsDutch(t *testing.T) {
	nl := factor.BuiltinTexts("nl")
	nl.Texts["invalid-code"] = "De code klopt niet of is verlopen. Probeer het nog een keer."
	texts, err := factor.NewTexts(nl)
	require.NoError(t, err)
	assert.Equal(t, "De code klopt niet of is verlopen. Probeer het nog een keer.", texts.UserMessage(factor.ErrInvalidCode, "nl-NL"))
}

func TestNewTextsRefusesBrokenPacks(t *testing.T) {
	cases := map[string]struct {
		edit func(p *factor.TextPack)
		want string
	}{
		"bad tag":       {func(p *factor.TextPack) { p.Language = "not a tag!" }, "BCP 47"},
		"missing key":   {func(p *factor.TextPack) { delete(p.Texts, "invalid-code") }, `no text for key "invalid-code"`},
		"empty text":    {func(p *factor.TextPack) { p.Texts["resend"] = "  " }, `no text for key "resend"`},
		"typo in a key": {func(p *factor.TextPack) { p.Texts["invalid-cod"] = "x" }, `unknown key "invalid-cod"`},
		"lost {wait}":   {func(p *factor.TextPack) { p.Texts["locked"] = "Gesperrt." }, `key "locked" must contain {wait}`},
		"lost {n}":      {func(p *factor.TextPack) { p.Texts["wait-hours"] = "Stunden" }, `key "wait-hours" must contain {n}`},
		"stray {wait}":  {func(p *factor.TextPack) { p.Texts["generic"] = "in {wait}" }, `key "generic" must contain {wait}`},
		"control":       {func(p *factor.TextPack) { p.Texts["generic"] = "a\x1b[31mb" }, "control character"},
		"invalid UTF-8": {func(p *factor.TextPack) { p.Texts["generic"] = "a\xffb" }, "not valid UTF-8"},
		"nil map":       {func(p *factor.TextPack) { p.Texts = nil }, "no text for key"},
		"complete":      {func(p *factor.TextPack) {}, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := german(t)
			c.edit(&p)
			_, err := factor.NewTexts(p)
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			assert.ErrorContains(t, err, "Texts[0]")
			assert.ErrorContains(t, err, c.want)
		})
	}
	_, err := factor.NewTexts(german(t), factor.TextPack{Language: "fr", Texts: map[string]string{}})
	assert.ErrorContains(t, err, "Texts[1]: fr: no text for key")
}

func TestPackKeysAreStable(t *testing.T) {
	// Keys are API: hosts' packs name them. Adding one is a change of
	// every pack; renaming one breaks them.
	want := []string{"activation-expired", "activation-required", "activation-used", "challenge-mismatch",
		"challenge-required", "delivery", "email-fallback", "generic", "invalid-code", "kind-not-offered",
		"last-enrollment", "link-invalid", "link-required", "locked", "malformed", "no-account-email",
		"no-activation-code", "not-allowed", "not-confirmed",
		"not-found", "rate-limited", "removing", "required", "resend", "sealed", "step-up-required",
		"too-many-pending", "unknown-kind", "wait-hours", "wait-minute", "wait-minutes", "wait-second",
		"wait-seconds"}
	assert.Equal(t, want, slices.Sorted(maps.Keys(factor.BuiltinTexts("en").Texts)))
	assert.Equal(t, want, slices.Sorted(maps.Keys(factor.BuiltinTexts("nl").Texts)))
}

func TestWaitsInPacks(t *testing.T) {
	texts, err := factor.NewTexts(german(t))
	require.NoError(t, err)
	for d, want := range map[time.Duration]string{
		time.Millisecond: "DE 1 second", 2 * time.Second: "DE 2 seconds", time.Minute: "DE 1 minute",
		61 * time.Second: "2 Minuten", 2 * time.Hour: "120 Minuten", 2*time.Hour + time.Second: "DE 3 hours",
	} {
		msg := texts.UserMessage(&factor.RateLimitError{Scope: "user", RetryAfter: d}, "de")
		assert.Contains(t, msg, "in "+want+",", "%v", d)
	}
}
