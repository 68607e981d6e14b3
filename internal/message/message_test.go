package message_test

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message"
)

var allNames = []string{"sms.txt", "voice.txt", "voice-keypad.txt", "email-subject.txt", "email.txt", "email.html"}

func TestNegotiate(t *testing.T) {
	c, err := message.New(message.Config{DefaultLanguage: "nl"}, "sms.txt")
	require.NoError(t, err)
	en, err := message.New(message.Config{}, "sms.txt")
	require.NoError(t, err)
	long := "nl"
	for len(long) < 600 {
		long += ",nl"
	}
	tests := []struct {
		pref, want, wantEN string
	}{
		{"nl-BE,nl;q=0.9", "nl", "nl"},
		{"nl", "nl", "nl"},
		{"NL-nl", "nl", "nl"},
		{"en-US", "en", "en"},
		{"en-GB,en;q=0.9,nl;q=0.8", "en", "en"},
		{"de,en;q=0.5", "en", "en"},
		{"fr-CA,nl;q=0.1", "nl", "nl"},
		{"de", "nl", "en"},
		{"de-DE,fr;q=0.8", "nl", "en"},
		{"", "nl", "en"},
		{"!!garbage!!", "nl", "en"},
		{"en;q=abc", "nl", "en"},
		{"en;q=0", "nl", "en"},
		{"*", "nl", "en"},
		{long, "nl", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.pref, func(t *testing.T) {
			assert.Equal(t, tt.want, c.Negotiate(tt.pref), "default nl")
			assert.Equal(t, tt.wantEN, en.Negotiate(tt.pref), "default en")
		})
	}
}

// TestDefaultLanguageIsUserMessages: with no preference, or one that
// matches nothing, a message speaks the language factor.UserMessage falls
// back to, so that a page and the code it sends agree.
func TestDefaultLanguageIsUserMessages(t *testing.T) {
	c, err := message.New(message.Config{}, allNames...)
	require.NoError(t, err)
	assert.Equal(t, []string{"en", "nl"}, c.Languages())
	for _, pref := range []string{"", "de", "tlh", "x;q=oops"} {
		fallback := factor.UserMessage(factor.ErrInvalidCode, pref) == factor.UserMessage(factor.ErrInvalidCode, "en")
		assert.True(t, fallback, "UserMessage falls back to English for %q", pref)
		assert.Equal(t, "en", c.Negotiate(pref), "messages fall back to English for %q", pref)
	}
	assert.Equal(t, "nl", c.Negotiate("nl-BE"))
}

func TestRender(t *testing.T) {
	c, err := message.New(message.Config{AppName: "Acme"}, allNames...)
	require.NoError(t, err)
	got, err := c.Render("sms.txt", "nl", message.Data{Code: "123456", Minutes: 5})
	require.NoError(t, err)
	assert.Equal(t, "Uw verificatiecode voor Acme is 123456. Geldig 5 minuten. Deel deze code met niemand.", got)
	got, err = c.Render("sms.txt", "en", message.Data{Code: "123456", Minutes: 1, Domain: "acme.example"})
	require.NoError(t, err)
	assert.Equal(t, "Your verification code for Acme is 123456. Valid for 1 minute. Do not share this code with anyone.\n\n@acme.example #123456", got)
	_, err = c.Render("sms.txt", "de", message.Data{})
	assert.Error(t, err, "only negotiated languages render")
}

func TestRenderHTMLEscapes(t *testing.T) {
	c, err := message.New(message.Config{AppName: `<b>"Acme" & Co</b>`}, "email.html")
	require.NoError(t, err)
	got, err := c.Render("email.html", "en", message.Data{Code: "<script>", Minutes: 5})
	require.NoError(t, err)
	assert.NotContains(t, got, "<b>")
	assert.NotContains(t, got, "<script>")
	assert.Contains(t, got, "&lt;b&gt;&#34;Acme&#34; &amp; Co&lt;/b&gt;")
}

func TestOverrideAndExtraLanguage(t *testing.T) {
	fsys := fstest.MapFS{
		"nl/sms.txt": {Data: []byte("{{.AppName}}: {{.Code}}\n")},
		"de/sms.txt": {Data: []byte("Ihr Code: {{.Code}}")},
	}
	c, err := message.New(message.Config{AppName: "Acme", Languages: []string{"de"}, DefaultLanguage: "de", Templates: fsys}, "sms.txt")
	require.NoError(t, err)
	assert.Equal(t, []string{"de", "nl", "en"}, c.Languages())
	assert.Equal(t, "de", c.Negotiate("de-AT"))
	assert.Equal(t, "de", c.Negotiate("ja"))
	for lang, want := range map[string]string{"nl": "Acme: 42", "de": "Ihr Code: 42", "en": "Your verification code for Acme is 42. Valid for 5 minutes. Do not share this code with anyone."} {
		got, err := c.Render("sms.txt", lang, message.Data{Code: "42", Minutes: 5})
		require.NoError(t, err)
		assert.Equal(t, want, got, lang)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		cfg   message.Config
		field string
	}{
		{"control character in app name", message.Config{AppName: "Acme\r\nBcc: x"}, "AppName"},
		{"overlong app name", message.Config{AppName: string(make([]byte, 65))}, "AppName"},
		{"invalid UTF-8", message.Config{AppName: "\xff"}, "AppName"},
		{"unsupported default", message.Config{DefaultLanguage: "de"}, "DefaultLanguage"},
		{"bad language", message.Config{Languages: []string{"not a tag!"}}, "Languages"},
		{"missing templates for added language", message.Config{Languages: []string{"fr"}}, "Templates"},
		{"syntax error", message.Config{Templates: fstest.MapFS{"en/sms.txt": {Data: []byte("{{.Code")}}}, "Templates"},
		{"unknown field", message.Config{Templates: fstest.MapFS{"en/sms.txt": {Data: []byte("{{.Secret}}")}}}, "Templates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := message.New(tt.cfg, "sms.txt")
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
		})
	}
}

func TestSpellAndMinutes(t *testing.T) {
	assert.Equal(t, "1, 2, 3", message.Spell("123"))
	assert.Equal(t, "", message.Spell(""))
	assert.Equal(t, 5, message.Minutes(5*time.Minute))
	assert.Equal(t, 1, message.Minutes(90*time.Second))
	assert.Equal(t, 1, message.Minutes(10*time.Second))
}
