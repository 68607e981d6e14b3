package twilio_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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

const statusURL = "https://login.example.com/twostep/voice/status?tenant=acme"

// TestCallStatusCallback: with a StatusCallbackURL every call, spoken,
// keypad or with answering-machine detection, asks for its progress at it,
// with the challenge and send of its code added to the host's own query.
func TestCallStatusCallback(t *testing.T) {
	keypad := voiceMsg("nl", "Toets de cijfers.")
	keypad.Keypad, keypad.Code = true, "42"
	tests := map[string]struct {
		script bool
		m      factor.Message
	}{
		"spoken":      {false, voiceMsg("nl", "Uw code is 4, 9, 3, 8, 1, 7.")},
		"keypad":      {false, keypad},
		"with script": {true, voiceMsg("nl", "Uw code is 4, 9, 3, 8, 1, 7.")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			for _, receipts := range []bool{true, false} {
				srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"CA1"}`})
				cfg := config(srv)
				if receipts {
					cfg.StatusCallbackURL = statusURL
				}
				if tt.script {
					cfg.ScriptURL = "https://login.example.com/twostep/voice/script"
				}
				s, err := twilio.New(cfg)
				require.NoError(t, err)
				m := tt.m
				m.Send = 3
				require.NoError(t, s.Send(context.Background(), m))
				reqs := srv.Requests()
				require.Len(t, reqs, 1)
				form := reqs[0].Form
				if !receipts {
					for _, f := range []string{"StatusCallback", "StatusCallbackMethod", "StatusCallbackEvent"} {
						assert.NotContains(t, form, f)
					}
					continue
				}
				assert.Equal(t, []string{"https://login.example.com/twostep/voice/status?challenge=chal-42&send=3&tenant=acme"}, form["StatusCallback"])
				assert.Equal(t, []string{"POST"}, form["StatusCallbackMethod"])
				assert.Equal(t, []string{"ringing completed"}, form["StatusCallbackEvent"])
				assert.Equal(t, tt.script, form.Get("MachineDetection") == "Enable")
			}
		})
	}
	_, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: from, StatusCallbackURL: "http://login.example.com/status"})
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
}

// callEnv is a Manager with the voice factor and a CallStatusHandler behind
// an httptest server, and a confirmed line for alice.
type callEnv struct {
	*messagetest.Env
	srv *httptest.Server
	enr string
}

func newCallEnv(t *testing.T) *callEnv {
	f, err := voice.New(voice.Config{AppName: "Acme"})
	require.NoError(t, err)
	env := &callEnv{Env: messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{f}})}
	env.Secret(token)
	env.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { env.handler().ServeHTTP(w, r) }))
	t.Cleanup(env.srv.Close)
	env.enr = env.EnrollConfirmed(t, "alice", factor.KindVoice, "020-1234567").ID
	return env
}

func (env *callEnv) handler() *twilio.CallStatusHandler {
	return &twilio.CallStatusHandler{Manager: env.M, Validator: &twilio.Validator{AuthToken: token, PublicURL: env.srv.URL}, Clock: env.Clock.Now}
}

// call challenges alice's line and returns the message sent and its
// status callback URL on env's server.
func (env *callEnv) call(t *testing.T, keypad bool) (factor.Message, string) {
	t.Helper()
	env.Challenge(t, "alice", env.enr, keypad)
	m, ok := env.Sender.Last()
	require.True(t, ok)
	return m, env.srv.URL + "/voice/status?challenge=" + m.ChallengeID + "&send=" + strconv.Itoa(m.Send)
}

// callForm is a call status callback's form as Twilio documents it.
func callForm(status, answeredBy string) url.Values {
	f := url.Values{
		"CallSid": {"CA0123456789abcdef0123456789abcdef"}, "AccountSid": {sid}, "From": {from}, "To": {to},
		"CallStatus": {status}, "ApiVersion": {"2010-04-01"}, "Direction": {"outbound-api"},
		"CallbackSource": {"call-progress-events"}, "Timestamp": {"Tue, 01 Jul 2026 09:00:05 +0000"}, "SequenceNumber": {"1"},
	}
	if answeredBy != "" {
		f.Set("AnsweredBy", answeredBy)
	}
	if status == "completed" {
		f.Set("CallDuration", "21")
	}
	return f
}

func postCall(t *testing.T, u string, form url.Values, signer string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(signer, u, form))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestCallStatusHandler posts each CallStatus Twilio documents, once, for
// a spoken and a keypad call, and checks what ChallengeStatus says.
func TestCallStatusHandler(t *testing.T) {
	tests := []struct {
		status, answeredBy string
		spoken, keypad     factor.ChallengeState
		delivery           factor.Delivery
	}{
		{"queued", "", factor.ChallengePending, factor.ChallengePending, factor.DeliveryUnknown},
		{"initiated", "", factor.ChallengePending, factor.ChallengePending, factor.DeliveryUnknown},
		{"ringing", "", factor.ChallengePending, factor.ChallengePending, factor.DeliverySent},
		{"in-progress", "", factor.ChallengePending, factor.ChallengePending, factor.DeliverySent},
		{"completed", "", factor.ChallengeDelivered, factor.ChallengePending, factor.DeliveryDelivered},
		{"completed", "human", factor.ChallengeDelivered, factor.ChallengePending, factor.DeliveryDelivered},
		{"completed", "machine_end_beep", factor.ChallengeUndelivered, factor.ChallengeUndelivered, factor.DeliveryUndelivered},
		{"completed", "fax", factor.ChallengeUndelivered, factor.ChallengeUndelivered, factor.DeliveryUndelivered},
		{"completed", "unknown", factor.ChallengeUndelivered, factor.ChallengeUndelivered, factor.DeliveryUndelivered},
		{"busy", "", factor.ChallengeUndelivered, factor.ChallengeUndelivered, factor.DeliveryUndelivered},
		{"no-answer", "", factor.ChallengeUndelivered, factor.ChallengeUndelivered, factor.DeliveryUndelivered},
		{"failed", "", factor.ChallengeUndelivered, factor.ChallengeUndelivered, factor.DeliveryFailed},
		{"canceled", "", factor.ChallengeUndelivered, factor.ChallengeUndelivered, factor.DeliveryFailed},
	}
	for _, tt := range tests {
		t.Run(tt.status+"/"+tt.answeredBy, func(t *testing.T) {
			env := newCallEnv(t)
			for _, keypad := range []bool{false, true} {
				m, u := env.call(t, keypad)
				assert.Equal(t, http.StatusNoContent, postCall(t, u, callForm(tt.status, tt.answeredBy), token))
				s, err := env.M.ChallengeStatus(context.Background(), "alice", m.ChallengeID, env.Now())
				require.NoError(t, err)
				want := tt.spoken
				if keypad {
					want = tt.keypad
				}
				assert.Equal(t, want, s, "keypad %v", keypad)
				c, err := env.Store.GetChallenge(context.Background(), m.ChallengeID)
				require.NoError(t, err)
				assert.Equal(t, tt.delivery, c.Delivery)
				env.Clock.Advance(time.Minute)
			}
		})
	}
}

// TestCallStatusHandlerRefuses: a bad signature, or a handler without a
// Validator, changes nothing.
func TestCallStatusHandlerRefuses(t *testing.T) {
	env := newCallEnv(t)
	m, u := env.call(t, false)
	busy := callForm("busy", "")
	assert.Equal(t, http.StatusForbidden, postCall(t, u, busy, "not the token"))
	req := httptest.NewRequest(http.MethodPost, u, strings.NewReader(busy.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(token, u, busy))
	rec := httptest.NewRecorder()
	(&twilio.CallStatusHandler{Manager: env.M}).ServeHTTP(rec, req)
	assert.Equal(t, http.StatusForbidden, rec.Code, "no Validator")
	s, err := env.M.ChallengeStatus(context.Background(), "alice", m.ChallengeID, env.Now())
	require.NoError(t, err)
	assert.Equal(t, factor.ChallengePending, s)
}

// FuzzCallStatusHandler sends arbitrary status callbacks to a
// CallStatusHandler over a live call, signed or not; CHALLENGE in the
// query stands for its ID. The handler never panics or answers 500 on a
// healthy store, and an unsigned request changes nothing.
func FuzzCallStatusHandler(f *testing.F) {
	f.Add("challenge=CHALLENGE&send=1", "CallStatus=completed&AnsweredBy=machine_start", true)
	f.Add("challenge=CHALLENGE&send=1", "CallStatus=busy", false)
	f.Add("send=1", "CallStatus=no-answer", true)
	f.Fuzz(func(t *testing.T, query, body string, sign bool) {
		env := newCallEnv(t)
		m, _ := env.call(t, false)
		query = strings.ReplaceAll(query, "CHALLENGE", m.ChallengeID)
		req := &http.Request{
			Method: http.MethodPost, URL: &url.URL{Path: "/voice/status", RawQuery: query}, Host: "example.com",
			RequestURI: "/voice/status?" + query,
			Header:     http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: io.NopCloser(strings.NewReader(body)),
		}
		if form, err := url.ParseQuery(body); sign && err == nil {
			req.Header.Set(twilio.SignatureHeader, twilio.Sign(token, env.srv.URL+req.RequestURI, form))
		}
		rec := httptest.NewRecorder()
		env.handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent && rec.Code != http.StatusBadRequest && rec.Code != http.StatusForbidden {
			t.Fatalf("status %d for %q %q", rec.Code, query, body)
		}
		c, err := env.Store.GetChallenge(context.Background(), m.ChallengeID)
		if err != nil {
			t.Fatal(err)
		}
		if (!sign && c.Delivery != factor.DeliveryUnknown) || c.Tries != 0 || !c.UsedAt.IsZero() {
			t.Fatalf("changed by %q %q (signed %v): %+v", query, body, sign, c.Delivery)
		}
	})
}
