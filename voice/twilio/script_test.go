package twilio_test

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
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/voice/twilio"
)

const (
	scriptURL = "https://login.example.com/twostep/voice/script"
	spokenNL  = "Uw inlogcode is: 4, 9, 3, 8, 1, 7. Ik herhaal: 4, 9, 3, 8, 1, 7."
)

// placeScriptCall sends m through a Sender with ScriptURL and returns the
// form of the call it placed.
func placeScriptCall(t *testing.T, m factor.Message) url.Values {
	t.Helper()
	srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"CA1"}`})
	cfg := config(srv)
	cfg.ScriptURL = scriptURL
	s, err := twilio.New(cfg)
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), m))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	return reqs[0].Form
}

// fetchScript makes the request Twilio makes to the call's Url once its
// answering-machine detection is done, signed with signer, and returns
// the status and the TwiML.
func fetchScript(t *testing.T, h http.Handler, callURL, signer string, form url.Values) (int, string) {
	t.Helper()
	u, err := url.Parse(callURL)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, u.RequestURI(), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(twilio.SignatureHeader, twilio.Sign(signer, callURL, form))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

func twilioFetch(answeredBy string) url.Values {
	f := url.Values{"CallSid": {"CA1"}, "AccountSid": {sid}, "From": {from}, "To": {to}, "CallStatus": {"in-progress"}, "Direction": {"outbound-api"}}
	if answeredBy != "" {
		f.Set("AnsweredBy", answeredBy)
	}
	return f
}

func TestScriptCallRequest(t *testing.T) {
	m := voiceMsg("nl", spokenNL)
	form := placeScriptCall(t, m)

	keys := []string{}
	for k, v := range form {
		require.Len(t, v, 1, k)
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"To", "From", "Url", "Method", "MachineDetection", "TimeLimit"}, keys)
	assert.Equal(t, to, form.Get("To"))
	assert.Equal(t, from, form.Get("From"))
	assert.Equal(t, "POST", form.Get("Method"))
	assert.Equal(t, "Enable", form.Get("MachineDetection"))
	assert.Equal(t, "120", form.Get("TimeLimit"))
	assert.True(t, strings.HasPrefix(form.Get("Url"), scriptURL+"?"+twilio.ScriptParam+"="), form.Get("Url"))
	// The script travels sealed: the request to Twilio holds no code.
	all := form.Encode()
	for _, secret := range []string{code, "4, 9, 3", "4%2C+9%2C+3", "Uw+inlogcode"} {
		assert.NotContains(t, all, secret)
	}
}

func TestScriptHandler(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := voiceMsg("nl", spokenNL)
	m.ExpiresAt = now.Add(5 * time.Minute)
	callURL := placeScriptCall(t, m).Get("Url")
	h := &twilio.ScriptHandler{Validator: &twilio.Validator{AuthToken: token, PublicURL: "https://login.example.com"}, Clock: func() time.Time { return now }}
	machine := "U bent gebeld om een inlogcode voor te lezen. Die lezen we alleen voor aan een persoon. Vraag zo nodig een nieuwe code aan. Tot ziens."

	tests := map[string]struct {
		answeredBy string
		edit       func(url.Values)
		clock      time.Duration
		want       []string // the verbs of the TwiML
		say        string
	}{
		"person":              {answeredBy: "human", want: []string{"Pause", "Say"}, say: spokenNL},
		"machine start":       {answeredBy: "machine_start", want: []string{"Say", "Hangup"}, say: machine},
		"machine end beep":    {answeredBy: "machine_end_beep", want: []string{"Say", "Hangup"}, say: machine},
		"machine end silence": {answeredBy: "machine_end_silence", want: []string{"Say", "Hangup"}, say: machine},
		"machine end other":   {answeredBy: "machine_end_other", want: []string{"Say", "Hangup"}, say: machine},
		"fax":                 {answeredBy: "fax", want: []string{"Say", "Hangup"}, say: machine},
		"unknown":             {answeredBy: "unknown", want: []string{"Say", "Hangup"}, say: machine},
		"no detection":        {answeredBy: "", want: []string{"Say", "Hangup"}, say: machine},
		"call to another number": {answeredBy: "human", edit: func(f url.Values) { f.Set("To", "+31201234568") },
			want: []string{"Hangup"}},
		"expired code": {answeredBy: "human", clock: 5 * time.Minute, want: []string{"Hangup"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h.Clock = func() time.Time { return now.Add(tt.clock) }
			form := twilioFetch(tt.answeredBy)
			if tt.edit != nil {
				tt.edit(form)
			}
			status, body := fetchScript(t, h, callURL, token, form)

			require.Equal(t, http.StatusOK, status, body)
			var root node
			require.NoError(t, xml.Unmarshal([]byte(body), &root), body)
			require.Equal(t, tt.want, root.names())
			for _, c := range root.Children {
				if c.XMLName.Local == "Say" {
					assertSay(t, c, "nl-NL", "Polly.Lotte", tt.say)
				}
			}
			if tt.answeredBy != "human" || tt.edit != nil || tt.clock != 0 {
				assert.NotContains(t, body, "4, 9, 3", "the code is only read to a person")
				assert.NotContains(t, body, code)
			} else {
				assert.Equal(t, 2, strings.Count(body, "4, 9, 3, 8, 1, 7"), "a person hears the code twice")
			}
		})
	}
}

func TestScriptHandlerRefuses(t *testing.T) {
	callURL := placeScriptCall(t, voiceMsg("en", "Your code is 4, 9, 3, 8, 1, 7.")).Get("Url")
	v := &twilio.Validator{AuthToken: token, PublicURL: "https://login.example.com"}

	status, body := fetchScript(t, &twilio.ScriptHandler{Validator: v}, callURL, "not the token", twilioFetch("human"))
	assert.Equal(t, http.StatusForbidden, status)
	assert.NotContains(t, body, "4, 9, 3")

	status, _ = fetchScript(t, &twilio.ScriptHandler{}, callURL, token, twilioFetch("human"))
	assert.Equal(t, http.StatusForbidden, status, "no Validator")

	rec := httptest.NewRecorder()
	(&twilio.ScriptHandler{Validator: v}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/twostep/voice/script", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)

	// A script sealed under another account's token does not open.
	other := &twilio.Validator{AuthToken: "another token", PublicURL: "https://login.example.com"}
	status, body = fetchScript(t, &twilio.ScriptHandler{Validator: other}, callURL, "another token", twilioFetch("human"))
	assert.Equal(t, http.StatusOK, status)
	assert.NotContains(t, body, "4, 9, 3")
	assert.Contains(t, body, "<Hangup>")
}

func TestScriptURLNeedsAuthToken(t *testing.T) {
	cfg := twilio.Config{AccountSID: sid, APIKeySID: keySID, APIKeySecret: keySec, From: from, ScriptURL: scriptURL}
	_, err := twilio.New(cfg)
	var ce *factor.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "twilio.Config.AuthToken", ce.Field)

	cfg.ScriptURL = "http://login.example.com/script"
	cfg.AuthToken = token
	_, err = twilio.New(cfg)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "twilio.Config.ScriptURL", ce.Field)
}
