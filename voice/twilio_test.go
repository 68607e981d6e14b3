package voice_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

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

// TestSpokenCallSpeaksOnlyToAPerson places the call voice.Factor composes
// with answering-machine detection on and plays Twilio's part: the request
// for the script once detection is done. A person hears the code twice; a
// voicemail or any other machine never gets it.
func TestSpokenCallSpeaksOnlyToAPerson(t *testing.T) {
	const token = "twilio auth token"
	f := newFactor(t, voice.Config{AppName: "Acme"})
	srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"CA1"}`})
	s, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: token, From: "+3197010000000", BaseURL: srv.URL,
		ScriptURL: "https://login.example.com/twostep/voice/script"})
	require.NoError(t, err)
	msg := compose(t, f, "493817", "nl", false)
	require.NoError(t, s.Send(context.Background(), msg))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	call := reqs[0].Form
	assert.Equal(t, "Enable", call.Get("MachineDetection"))
	assert.Empty(t, call.Get("Twiml"))

	answered := msg.ExpiresAt.Add(-4 * time.Minute) // Twilio asks for the script while the code is valid
	h := &twilio.ScriptHandler{Validator: &twilio.Validator{AuthToken: token, PublicURL: "https://login.example.com"},
		Clock: func() time.Time { return answered }}
	for _, answeredBy := range []string{"human", "machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax", "unknown"} {
		t.Run(answeredBy, func(t *testing.T) {
			form := url.Values{"CallSid": {"CA1"}, "To": {msg.To}, "From": {"+3197010000000"}, "AnsweredBy": {answeredBy}}
			u, err := url.Parse(call.Get("Url"))
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodPost, u.RequestURI(), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(twilio.SignatureHeader, twilio.Sign(token, u.String(), form))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			require.Equal(t, http.StatusOK, rec.Code)
			twiml := rec.Body.String()
			if answeredBy == "human" {
				assert.Equal(t, 2, strings.Count(twiml, "4, 9, 3, 8, 1, 7"), twiml)
				return
			}
			assert.NotContains(t, twiml, "4, 9, 3", twiml)
			assert.NotContains(t, twiml, "493817")
			assert.Contains(t, twiml, "<Hangup></Hangup>")
		})
	}
}

// TestKeypadCallbackAnswersInTheCallsLanguage runs a keypad call end to
// end with voice.Handler and voice/twilio's KeypadResponder: the Sender places
// the call, and Twilio's part is played by posting the typed digits,
// signed, to the Gather's action. The caller hears TwiML in the call's
// language for right, wrong and late digits.
func TestKeypadCallbackAnswersInTheCallsLanguage(t *testing.T) {
	const token = "twilio auth token"
	tests := map[string]struct {
		lang  string
		typed func(digits string) string
		late  bool
		want  string
	}{
		"dutch, right digits":   {lang: "nl", typed: func(d string) string { return d }, want: "Dank u wel. U kunt verder op uw scherm. Tot ziens."},
		"dutch, wrong digits":   {lang: "nl", typed: otherDigits, want: "Die cijfers kloppen niet. Kijk op uw scherm en probeer het opnieuw. Tot ziens."},
		"dutch, late digits":    {lang: "nl-NL,nl;q=0.9", typed: func(d string) string { return d }, late: true, want: "Deze code is niet meer geldig. Vraag op uw scherm een nieuwe aan. Tot ziens."},
		"english, right digits": {lang: "en-GB", typed: func(d string) string { return d }, want: "Thank you. You can continue on your screen. Goodbye."},
		"english, wrong digits": {lang: "en", typed: otherDigits, want: "Those digits are not right. Please check your screen and try again. Goodbye."},
		"english, late digits":  {lang: "en", typed: func(d string) string { return d }, late: true, want: "This code is no longer valid. Please request a new one on your screen. Goodbye."},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			env := messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{newFactor(t, voice.Config{AppName: "Acme"})}})
			api := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"CA1"}`})
			var h *voice.Handler
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
			t.Cleanup(srv.Close)
			calls, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: token, From: "+3197010000000", BaseURL: api.URL,
				CallbackURL: srv.URL + "/twostep/voice/keypad"})
			require.NoError(t, err)
			h, err = voice.NewHandler(env.M, &twilio.Validator{AuthToken: token, PublicURL: srv.URL})
			require.NoError(t, err)
			h.Clock, h.Responder = env.Clock.Now, calls.KeypadResponder()

			e := env.EnrollConfirmed(t, user, factor.KindVoice, "020-1234567")
			env.Clock.Advance(time.Minute)
			sent, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID, Keypad: true, Language: tt.lang}, env.Now())
			require.NoError(t, err)
			m, ok := env.Sender.Last()
			require.True(t, ok)
			require.NoError(t, calls.Send(context.Background(), m))
			var twiml struct {
				Gather struct {
					Action string `xml:"action,attr"`
				} `xml:"Gather"`
			}
			require.NoError(t, xml.Unmarshal([]byte(api.Requests()[0].Form.Get("Twiml")), &twiml))
			if tt.late {
				env.Clock.Advance(sent.ExpiresAt.Sub(env.Now()))
			}

			form := url.Values{"Digits": {tt.typed(m.Code)}, "CallSid": {"CA1"}, "To": {m.To}}
			req, err := http.NewRequest(http.MethodPost, twiml.Gather.Action, strings.NewReader(form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(twilio.SignatureHeader, twilio.Sign(token, twiml.Gather.Action, form))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()

			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("Content-Type"), "text/xml")
			var reply struct {
				Say struct {
					Language string `xml:"language,attr"`
					Text     string `xml:",chardata"`
				} `xml:"Say"`
				Hangup *struct{} `xml:"Hangup"`
			}
			require.NoError(t, xml.NewDecoder(resp.Body).Decode(&reply))
			assert.Equal(t, tt.want, reply.Say.Text)
			assert.NotNil(t, reply.Hangup)
		})
	}
}
