package email_test

import (
	"flag"
	"html"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func newFactor(t testing.TB, cfg email.Config) *email.Factor {
	t.Helper()
	f, err := email.New(cfg)
	require.NoError(t, err)
	return f
}

func TestParseAddress(t *testing.T) {
	local64 := strings.Repeat("a", 64)
	long := local64 + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".nl" // 254 bytes
	require.Len(t, long, 254)
	tests := []struct {
		in, want string
	}{
		{"alice@example.com", "alice@example.com"},
		{"  Alice.Smith+2fa@Example.COM ", "Alice.Smith+2fa@example.com"},
		{"jan@zorg.voorbeeld.nl", "jan@zorg.voorbeeld.nl"},
		{"josé@exämple.de", "josé@exämple.de"},
		{long, long},
		{"", ""},
		{"alice", ""},
		{"alice@", ""},
		{"@example.com", ""},
		{"Alice <alice@example.com>", ""},
		{"<alice@example.com>", ""},
		{"alice@example.com (work)", ""},
		{"alice@localhost", ""},
		{"alice@[192.0.2.1]", ""},
		{"alice@example..com", ""},
		{"alice@.example.com", ""},
		{"alice@example.com.", ""},
		{"a@b@example.com", ""},
		{"alice@example.com\r\nBcc: eve@example.com", ""},
		{"alice@example.com, bob@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"x" + long, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := email.ParseAddress(tt.in)
			if tt.want == "" {
				require.ErrorIs(t, err, factor.ErrMalformed)
				var ie *factor.InputError
				require.ErrorAs(t, err, &ie)
				if tt.in != "" {
					assert.NotContains(t, err.Error(), tt.in, "errors never hold the address")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPrepare(t *testing.T) {
	f := newFactor(t, email.Config{})
	e := factor.Enrollment{Address: " Alice@Example.com"}
	require.NoError(t, f.Prepare(&e))
	assert.Equal(t, "Alice@example.com", e.Address)
	e = factor.Enrollment{Address: "Alice <alice@example.com>"}
	assert.ErrorIs(t, f.Prepare(&e), factor.ErrMalformed)
	assert.Equal(t, "Alice <alice@example.com>", e.Address, "unchanged")
}

func compose(t *testing.T, f *email.Factor, lang string, ttl time.Duration) factor.Message {
	t.Helper()
	sentAt := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	e := &factor.Enrollment{ID: "e1", UserID: "alice", Kind: factor.KindEmail, Address: "alice@example.com"}
	c := &factor.Challenge{ID: "c1", UserID: "alice", EnrollmentID: "e1", Kind: factor.KindEmail, SentAt: sentAt, ExpiresAt: sentAt.Add(ttl)}
	m, err := f.Compose(e, c, "123456", lang)
	require.NoError(t, err)
	return m
}

func TestGolden(t *testing.T) {
	f := newFactor(t, email.Config{AppName: "Acme"})
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			m := compose(t, f, lang, 10*time.Minute)
			assert.Equal(t, lang, m.Language)
			assert.NotContains(t, m.Subject, "123456", "the subject shows on lock screens")
			assert.Contains(t, m.Text, "123456")
			assert.Contains(t, m.HTML, "123456")
			assert.Contains(t, m.HTML, `<html lang="`+lang+`">`)
			messagetest.Golden(t, "email-subject."+lang, m.Subject+"\n", *update)
			messagetest.Golden(t, "email-text."+lang, m.Text, *update)
			messagetest.Golden(t, "email-html."+lang, m.HTML, *update)
		})
	}
}

func TestComposeEscapesHTML(t *testing.T) {
	f := newFactor(t, email.Config{AppName: `Zorg & <Co>`})
	m := compose(t, f, "nl", 5*time.Minute)
	assert.Contains(t, m.HTML, "Zorg &amp; &lt;Co&gt;")
	assert.NotContains(t, m.HTML, "<Co>")
	assert.Equal(t, "Uw verificatiecode voor Zorg & <Co>", m.Subject, "plain text stays plain")
	assert.Contains(t, m.Text, "De code is 5 minuten geldig.")
}

func TestComposeFields(t *testing.T) {
	m := compose(t, newFactor(t, email.Config{}), "en-US,en;q=0.9", time.Hour)
	assert.Equal(t, factor.KindEmail, m.Kind)
	assert.Equal(t, "alice@example.com", m.To)
	assert.Equal(t, "123456", m.Code)
	assert.Equal(t, "c1", m.ChallengeID)
	assert.Equal(t, "Your verification code", m.Subject)
	assert.Contains(t, m.Text, "valid for 60 minutes")
	assert.Equal(t, "en", compose(t, newFactor(t, email.Config{}), "fr", time.Hour).Language, "English by default, as factor.UserMessage")
	assert.Equal(t, "en", compose(t, newFactor(t, email.Config{}), "", time.Hour).Language)
	assert.Equal(t, "nl", compose(t, newFactor(t, email.Config{DefaultLanguage: "nl"}), "", time.Hour).Language)
}

func TestNewRefusesCodeInSubject(t *testing.T) {
	_, err := email.New(email.Config{Templates: fstest.MapFS{"en/email-subject.txt": {Data: []byte("Code {{.Code}}")}}})
	require.ErrorIs(t, err, factor.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "en/email-subject.txt")
	_, err = email.New(email.Config{Templates: fstest.MapFS{"nl/email.html": {Data: []byte("{{.Code")}}})
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
}

func TestSubjectIsOneLine(t *testing.T) {
	f := newFactor(t, email.Config{Templates: fstest.MapFS{"nl/email-subject.txt": {Data: []byte("Je\r\ncode\n\n  voor {{.AppName}}\n")}}})
	assert.Equal(t, "Je code voor", compose(t, f, "nl", time.Minute).Subject)
}

// TestTextPartMatchesHTML keeps the two parts of the email saying the same:
// every line of the plain-text part, the sign-off included, is in the
// HTML part's text, and the HTML part is laid out at most 600 px wide.
func TestTextPartMatchesHTML(t *testing.T) {
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, cfg := range []email.Config{{AppName: "Acme"}, {}} {
		f := newFactor(t, cfg)
		for _, lang := range []string{"nl", "en"} {
			t.Run(lang+"/"+cfg.AppName, func(t *testing.T) {
				m := compose(t, f, lang, 10*time.Minute)
				body := m.HTML[strings.Index(m.HTML, "<body"):]
				words := strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(body, " "))), " ")
				lines := strings.Split(strings.TrimSpace(m.Text), "\n")
				for _, line := range lines {
					if line = strings.TrimSpace(line); line != "" {
						assert.Contains(t, words, line)
					}
				}
				signoff := map[string]string{"nl": "Met vriendelijke groet,", "en": "Kind regards,"}[lang]
				assert.Equal(t, signoff, strings.TrimSpace(lines[len(lines)-2]), "the text ends with the sign-off")
				if cfg.AppName != "" {
					assert.Contains(t, lines[len(lines)-1], cfg.AppName, "signed with the service's name")
				}
				assert.Contains(t, m.HTML, "max-width:600px")
			})
		}
	}
}
