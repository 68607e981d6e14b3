package sms_test

import (
	"flag"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/sms"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func compose(t *testing.T, f *sms.Factor, lang string) factor.Message {
	t.Helper()
	sentAt := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	e := &factor.Enrollment{ID: "e1", UserID: user, Kind: factor.KindSMS, Address: "+31612345678"}
	c := &factor.Challenge{ID: "c1", UserID: user, EnrollmentID: "e1", Kind: factor.KindSMS, SentAt: sentAt, ExpiresAt: sentAt.Add(5 * time.Minute)}
	m, err := f.Compose(e, c, "123456", lang)
	require.NoError(t, err)
	return m
}

func TestGolden(t *testing.T) {
	plain := newFactor(t, sms.Config{AppName: "Acme"})
	webOTP := newFactor(t, sms.Config{AppName: "Acme", WebOTPDomain: "login.acme.example"})
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			m := compose(t, plain, lang)
			assert.Equal(t, lang, m.Language)
			assert.LessOrEqual(t, len([]rune(m.Text)), 160, "one SMS")
			messagetest.Golden(t, "sms."+lang, m.Text+"\n", *update)
			m = compose(t, webOTP, lang)
			assert.Regexp(t, `\n\n@login\.acme\.example #123456$`, m.Text, "WebOTP wants the origin line last")
			messagetest.Golden(t, "sms-webotp."+lang, m.Text+"\n", *update)
		})
	}
}

func TestComposeMessage(t *testing.T) {
	m := compose(t, newFactor(t, sms.Config{AppName: "Acme"}), "nl-BE,nl;q=0.9,en;q=0.8")
	assert.Equal(t, factor.Message{
		Kind:        factor.KindSMS,
		To:          "+31612345678",
		Code:        "123456",
		ChallengeID: "c1",
		Language:    "nl",
		Text:        "Uw verificatiecode voor Acme is 123456. Geldig 5 minuten. Deel deze code met niemand.",
		ExpiresAt:   time.Date(2026, 7, 1, 9, 5, 0, 0, time.UTC),
	}, m)
	assert.Equal(t, "en", compose(t, newFactor(t, sms.Config{}), "en-US").Language)
	assert.Equal(t, "en", compose(t, newFactor(t, sms.Config{}), "de").Language, "English by default, as factor.UserMessage")
	assert.Equal(t, "en", compose(t, newFactor(t, sms.Config{}), "").Language)
	assert.Equal(t, "nl", compose(t, newFactor(t, sms.Config{DefaultLanguage: "nl"}), "de").Language)
	assert.Equal(t, "Your verification code is 123456. Valid for 5 minutes. Do not share this code with anyone.",
		compose(t, newFactor(t, sms.Config{}), "en").Text, "no app name, no empty phrase")
}

func TestTemplateOverride(t *testing.T) {
	f := newFactor(t, sms.Config{AppName: "Acme", Templates: fstest.MapFS{
		"nl/sms.txt": {Data: []byte("{{.AppName}}-code: {{.Code}} ({{.Minutes}} min)\n")},
	}})
	assert.Equal(t, "Acme-code: 123456 (5 min)", compose(t, f, "nl").Text)
	assert.Contains(t, compose(t, f, "en").Text, "Your verification code for Acme", "other languages keep the built-in text")
}
