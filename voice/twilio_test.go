package voice_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/voice"
	"github.com/twostep/twostep/voice/twilio"
)

// TestHandlerWithTwilioValidator wires the Handler to voice/twilio's
// Validator, as hosts do, and posts callbacks signed as Twilio signs them.
func TestHandlerWithTwilioValidator(t *testing.T) {
	const token = "twilio auth token"
	env := messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{newFactor(t, voice.Config{})}})
	var h *voice.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	var err error
	h, err = voice.NewHandler(env.M, &twilio.Validator{AuthToken: token, PublicURL: srv.URL})
	require.NoError(t, err)
	h.Clock = env.Clock.Now

	e := env.EnrollConfirmed(t, user, factor.KindVoice, "020-1234567")
	sent, digits := env.Challenge(t, user, e.ID, true)
	post := func(signer string) int {
		u := srv.URL + "/voice/keypad?challenge=" + sent.ChallengeID
		form := url.Values{"Digits": {digits}, "CallSid": {"CA1"}, "To": {"+31201234567"}}
		req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(twilio.SignatureHeader, twilio.Sign(signer, u, form))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusForbidden, post("not the token"))
	state, err := env.M.ChallengeStatus(context.Background(), user, sent.ChallengeID, env.Now())
	require.NoError(t, err)
	assert.Equal(t, factor.ChallengePending, state)

	assert.Equal(t, http.StatusNoContent, post(token))
	state, err = env.M.ChallengeStatus(context.Background(), user, sent.ChallengeID, env.Now())
	require.NoError(t, err)
	assert.Equal(t, factor.ChallengeApproved, state)
}

// TestSpokenCallReadsTheCode sends what voice.Factor composes through the
// Twilio sender and checks the call itself: the parsed TwiML says the code
// digit by digit, twice, in the caller's language and voice.
func TestSpokenCallReadsTheCode(t *testing.T) {
	tests := map[string]struct{ lang, wantLang, wantVoice string }{
		"dutch":   {"nl-NL,nl;q=0.9", "nl-NL", "Polly.Lotte"},
		"english": {"en-US", "en-US", "Polly.Joanna"},
	}
	f := newFactor(t, voice.Config{AppName: "Acme"})
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"CA1"}`})
			s, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: "token", From: "+3197010000000", BaseURL: srv.URL})
			require.NoError(t, err)
			msg := compose(t, f, "493817", tt.lang, false)
			require.NoError(t, s.Send(context.Background(), msg))

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			var twiml struct {
				Says []struct {
					Language string `xml:"language,attr"`
					Voice    string `xml:"voice,attr"`
					Text     string `xml:",chardata"`
				} `xml:"Say"`
			}
			require.NoError(t, xml.Unmarshal([]byte(reqs[0].Form.Get("Twiml")), &twiml))
			require.Len(t, twiml.Says, 1)
			say := twiml.Says[0]
			assert.Equal(t, tt.wantLang, say.Language)
			assert.Equal(t, tt.wantVoice, say.Voice)
			assert.Equal(t, 2, strings.Count(say.Text, "4, 9, 3, 8, 1, 7"), say.Text)
			assert.NotContains(t, say.Text, "493817", "never read as one number")
		})
	}
}
