package voice_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
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
