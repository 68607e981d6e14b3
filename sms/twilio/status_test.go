package twilio_test

import (
	"context"
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
	"github.com/twostep/twostep/internal/twilioapi"
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/sms/twilio"
)

// TestSendStatusCallback: with a StatusCallbackURL every message asks for
// receipts at it, with the challenge and send of its code added to the
// host's own query.
func TestSendStatusCallback(t *testing.T) {
	m := msg()
	m.Send = 2
	noChallenge := msg()
	noChallenge.ChallengeID = ""
	tests := map[string]struct {
		url  string
		m    factor.Message
		want string
	}{
		"receipts":       {"https://login.example.com/twilio/sms?tenant=acme", m, "https://login.example.com/twilio/sms?challenge=ch1&send=2&tenant=acme"},
		"loopback http":  {"http://127.0.0.1:8080/sms", m, "http://127.0.0.1:8080/sms?challenge=ch1&send=2"},
		"no receipts":    {"", m, ""},
		"no challenge":   {"https://login.example.com/twilio/sms", noChallenge, ""},
		"no send number": {"https://login.example.com/twilio/sms", msg(), ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"SM1","status":"queued"}`})
			s := newSender(t, srv, twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000", StatusCallbackURL: tt.url})
			require.NoError(t, s.Send(context.Background(), tt.m))
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.want, reqs[0].Form.Get("StatusCallback"))
			assert.Len(t, reqs[0].Form["StatusCallback"], min(1, len(tt.want)))
		})
	}
	for _, bad := range []string{"http://login.example.com/sms", "/sms", "https://user:pw@login.example.com/sms", "https://login.example.com/sms#x", "ftp://login.example.com/sms"} {
		_, err := twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000", StatusCallbackURL: bad})
		assert.ErrorIs(t, err, factor.ErrInvalidConfig, bad)
	}
}

// receiptEnv is a Manager with the SMS factor and a MessageStatusHandler
// behind an httptest server, and a confirmed number for alice.
type receiptEnv struct {
	*messagetest.Env
	srv *httptest.Server
	enr string
}

func newReceiptEnv(t *testing.T) *receiptEnv {
	f, err := sms.New(sms.Config{AppName: "Acme"})
	require.NoError(t, err)
	env := &receiptEnv{Env: messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{f}})}
	env.Secret(token)
	env.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { newHandler(env).ServeHTTP(w, r) }))
	t.Cleanup(env.srv.Close)
	env.enr = env.EnrollConfirmed(t, "alice", factor.KindSMS, "06-12345678").ID
	return env
}

// newHandler is the handler a host would mount at env's server.
func newHandler(env *receiptEnv) *twilio.MessageStatusHandler {
	return &twilio.MessageStatusHandler{Manager: env.M, AuthToken: token, PublicURL: env.srv.URL, Clock: env.Clock.Now}
}

// send challenges alice's number and returns the message sent.
func (env *receiptEnv) send(t *testing.T) factor.Message {
	t.Helper()
	env.Challenge(t, "alice", env.enr, false)
	m, ok := env.Sender.Last()
	require.True(t, ok)
	return m
}

// callbackURL is the status callback URL of m on env's server.
func (env *receiptEnv) callbackURL(m factor.Message) string {
	return env.srv.URL + "/twilio/sms?challenge=" + m.ChallengeID + "&send=" + strconv.Itoa(m.Send)
}

// post posts form to u as Twilio would, signed with signer's token, or
// unsigned when signer is empty.
func post(t *testing.T, method, u string, form url.Values, signer string) int {
	t.Helper()
	sig := ""
	if signer != "" {
		sig = twilioapi.Sign(signer, u, form)
	}
	return postSigned(t, method, u, form, sig)
}

// postSigned posts form to u with the signature sig.
func postSigned(t *testing.T, method, u string, form url.Values, sig string) int {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set(twilioapi.SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// statusForm is a status callback's form as Twilio documents it.
func statusForm(status, errorCode string) url.Values {
	f := url.Values{
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "SmsSid": {"SM0123456789abcdef0123456789abcdef"},
		"AccountSid": {sid}, "MessagingServiceSid": {"MG0123"}, "From": {"+3197010000000"}, "To": {"+31612345678"},
		"ApiVersion": {"2010-04-01"}, "MessageStatus": {status}, "SmsStatus": {status},
	}
	if errorCode != "" {
		f.Set("ErrorCode", errorCode)
	}
	return f
}

func (env *receiptEnv) state(t *testing.T, m factor.Message) (factor.ChallengeState, factor.Delivery) {
	t.Helper()
	s, err := env.M.ChallengeStatus(context.Background(), "alice", m.ChallengeID, env.Now())
	require.NoError(t, err)
	c, err := env.Store.GetChallenge(context.Background(), m.ChallengeID)
	require.NoError(t, err)
	return s, c.Delivery
}

// TestMessageStatusHandler posts each MessageStatus Twilio documents, once,
// and checks what ChallengeStatus says afterwards.
func TestMessageStatusHandler(t *testing.T) {
	tests := []struct {
		status, errorCode string
		want              factor.ChallengeState
		delivery          factor.Delivery
	}{
		{"queued", "", factor.ChallengePending, factor.DeliveryUnknown},
		{"accepted", "", factor.ChallengePending, factor.DeliveryUnknown},
		{"scheduled", "", factor.ChallengePending, factor.DeliveryUnknown},
		{"sending", "", factor.ChallengePending, factor.DeliveryUnknown},
		{"sent", "", factor.ChallengePending, factor.DeliverySent},
		{"delivered", "", factor.ChallengeDelivered, factor.DeliveryDelivered},
		{"read", "", factor.ChallengeDelivered, factor.DeliveryDelivered},
		{"undelivered", "30003", factor.ChallengeUndelivered, factor.DeliveryUndelivered},
		{"failed", "30008", factor.ChallengeUndelivered, factor.DeliveryFailed},
		{"canceled", "", factor.ChallengeUndelivered, factor.DeliveryFailed},
		{"partially_delivered", "", factor.ChallengePending, factor.DeliveryUnknown},
		{"a status Twilio adds", "", factor.ChallengePending, factor.DeliveryUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			env := newReceiptEnv(t)
			m := env.send(t)
			assert.Equal(t, http.StatusNoContent, post(t, http.MethodPost, env.callbackURL(m), statusForm(tt.status, tt.errorCode), token))
			s, d := env.state(t, m)
			assert.Equal(t, tt.want, s)
			assert.Equal(t, tt.delivery, d)
			if tt.errorCode != "" {
				assert.True(t, env.Log.Contains(`"error_code":"`+tt.errorCode+`"`), "the error code is logged")
			}
		})
	}
}

// TestMessageStatusHandlerRefuses: a request that is not Twilio's changes
// nothing; Twilio's own late, repeated and unknown callbacks are answered
// 204 and change nothing either.
func TestMessageStatusHandlerRefuses(t *testing.T) {
	env := newReceiptEnv(t)
	m := env.send(t)
	u := env.callbackURL(m)
	undelivered := statusForm("undelivered", "30003")
	assert.Equal(t, http.StatusForbidden, post(t, http.MethodPost, u, undelivered, "not the token"))
	assert.Equal(t, http.StatusForbidden, post(t, http.MethodPost, u, undelivered, ""))
	other := env.srv.URL + "/twilio/sms?challenge=" + m.ChallengeID + "&send=2"
	assert.Equal(t, http.StatusForbidden, postSigned(t, http.MethodPost, u, undelivered, twilioapi.Sign(token, other, undelivered)), "signed for another URL")
	assert.Equal(t, http.StatusMethodNotAllowed, post(t, http.MethodGet, u, undelivered, token))
	assert.Equal(t, http.StatusBadRequest, post(t, http.MethodPost, env.srv.URL+"/twilio/sms", undelivered, token))
	assert.Equal(t, http.StatusBadRequest, post(t, http.MethodPost, env.srv.URL+"/twilio/sms?challenge="+m.ChallengeID+"&send=0", undelivered, token))
	assert.Equal(t, http.StatusNoContent, post(t, http.MethodPost, env.srv.URL+"/twilio/sms?challenge=nosuchchallenge&send=1", undelivered, token))
	s, d := env.state(t, m)
	assert.Equal(t, factor.ChallengePending, s)
	assert.Equal(t, factor.DeliveryUnknown, d)

	// A receipt delivered, Twilio's retry of it, and a late "sent".
	delivered := statusForm("delivered", "")
	for range 2 {
		assert.Equal(t, http.StatusNoContent, post(t, http.MethodPost, u, delivered, token))
	}
	assert.Equal(t, http.StatusNoContent, post(t, http.MethodPost, u, statusForm("sent", ""), token))
	assert.Equal(t, http.StatusNoContent, post(t, http.MethodPost, u, undelivered, token))
	s, d = env.state(t, m)
	assert.Equal(t, factor.ChallengeDelivered, s)
	assert.Equal(t, factor.DeliveryDelivered, d)

	// An expired challenge keeps its state.
	late := env.send(t)
	env.Clock.Advance(10 * time.Minute)
	assert.Equal(t, http.StatusNoContent, post(t, http.MethodPost, env.callbackURL(late), undelivered, token))
	s, d = env.state(t, late)
	assert.Equal(t, factor.ChallengeExpired, s)
	assert.Equal(t, factor.DeliveryUnknown, d)
	assert.False(t, env.Log.Contains("+31612345678"), "no phone number in the log")
}

// TestMessageStatusHandlerWithoutConfig refuses everything.
func TestMessageStatusHandlerWithoutConfig(t *testing.T) {
	env := newReceiptEnv(t)
	m := env.send(t)
	for name, h := range map[string]*twilio.MessageStatusHandler{
		"no token":      {Manager: env.M, PublicURL: env.srv.URL},
		"no public URL": {Manager: env.M, AuthToken: token},
	} {
		t.Run(name, func(t *testing.T) {
			u := env.callbackURL(m)
			form := statusForm("undelivered", "")
			req := httptest.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(twilioapi.SignatureHeader, twilioapi.Sign(token, u, form))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, http.StatusForbidden, w.Code)
		})
	}
	s, _ := env.state(t, m)
	assert.Equal(t, factor.ChallengePending, s)
}
