package email_test

import (
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

const testLink = "https://acme.example/phone/confirm?a=1&token=enr.s3cr3t"

func composeLink(t *testing.T, f *email.Factor, lang string) factor.Message {
	t.Helper()
	sent := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	l := factor.ChangeLink{URL: testLink, Masked: "+31 6 •••• 5678", SentAt: sent, ExpiresAt: sent.Add(time.Hour)}
	m, err := f.ComposeLink("caren@example.com", l, lang)
	require.NoError(t, err)
	return m
}

// TestLinkGolden pins the mail that confirms a new phone number in Dutch
// and English: the seed's subject, the masked number, the link in both
// parts, and no whole number or code.
func TestLinkGolden(t *testing.T) {
	f := newFactor(t, email.Config{AppName: "Acme"})
	subjects := map[string]string{"nl": "Nieuwe telefoonnummer bevestigen voor Acme", "en": "Confirm your new phone number for Acme"}
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			m := composeLink(t, f, lang)
			assert.Equal(t, factor.KindEmail, m.Kind)
			assert.Equal(t, "caren@example.com", m.To)
			assert.Equal(t, lang, m.Language)
			assert.Empty(t, m.Code, "the mail carries a link, no code")
			assert.Equal(t, subjects[lang], m.Subject)
			assert.NotContains(t, m.Subject, "token", "the subject shows on lock screens")
			assert.Contains(t, m.Text, testLink)
			assert.Contains(t, m.HTML, `href="https://acme.example/phone/confirm?a=1&amp;token=enr.s3cr3t"`)
			assert.Contains(t, m.Text, "+31 6 •••• 5678")
			assert.Contains(t, m.Text, "60 minu")
			messagetest.Golden(t, "link-subject."+lang, m.Subject+"\n", *update)
			messagetest.Golden(t, "link-text."+lang, m.Text, *update)
			messagetest.Golden(t, "link-html."+lang, m.HTML, *update)
		})
	}
}

// TestLinkTextMatchesHTML keeps both parts of the link mail saying the
// same, as TestTextPartMatchesHTML does for the code mail.
func TestLinkTextMatchesHTML(t *testing.T) {
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, cfg := range []email.Config{{AppName: "Acme"}, {}} {
		f := newFactor(t, cfg)
		for _, lang := range []string{"nl", "en"} {
			t.Run(lang+"/"+cfg.AppName, func(t *testing.T) {
				m := composeLink(t, f, lang)
				body := m.HTML[strings.Index(m.HTML, "<body"):]
				words := strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(body, " "))), " ")
				for _, line := range strings.Split(strings.TrimSpace(m.Text), "\n") {
					if line = strings.TrimSpace(line); line != "" {
						assert.Contains(t, words, line)
					}
				}
			})
		}
	}
}

func TestNewRefusesLinkInSubject(t *testing.T) {
	_, err := email.New(email.Config{Templates: fstest.MapFS{"nl/link-subject.txt": {Data: []byte("Bevestig {{.Link}}")}}})
	require.ErrorIs(t, err, factor.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "nl/link-subject.txt")
}
