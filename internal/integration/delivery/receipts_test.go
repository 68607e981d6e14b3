package delivery_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/sms"
	smstwilio "github.com/twostep/twostep/sms/twilio"
	"github.com/twostep/twostep/voice"
	voicetwilio "github.com/twostep/twostep/voice/twilio"
)

// receiptsWorld is a Manager that sends SMS and calls through the Twilio
// senders to a stand-in of Twilio's API, with delivery receipts on: the
// host's status callback handlers are mounted on a server of their own.
type receiptsWorld struct {
	m      *factor.Manager
	clock  *factortest.Clock
	twilio *providertest.Server
	hooks  *httptest.Server
	sms    string // alice's mobile number
	voice  string // alice's landline
}

func newReceiptsWorld(t *testing.T) *receiptsWorld {
	w := &receiptsWorld{clock: factortest.NewClock(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))}
	mux := http.NewServeMux()
	w.hooks = httptest.NewServer(mux)
	t.Cleanup(w.hooks.Close)
	w.twilio = providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"SM1","status":"queued"}`})

	texts, err := smstwilio.New(smstwilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000", BaseURL: w.twilio.URL, StatusCallbackURL: w.hooks.URL + "/twilio/sms-status"})
	require.NoError(t, err)
	calls, err := voicetwilio.New(voicetwilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000", BaseURL: w.twilio.URL, StatusCallbackURL: w.hooks.URL + "/twilio/call-status"})
	require.NoError(t, err)
	smsFactor, err := sms.New(sms.Config{AppName: "Acme"})
	require.NoError(t, err)
	voiceFactor, err := voice.New(voice.Config{AppName: "Acme"})
	require.NoError(t, err)
	w.m, err = factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Factors: []factor.Factor{smsFactor, voiceFactor},
		Sender: factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
			if m.Kind == factor.KindVoice {
				return calls.Send(ctx, m)
			}
			return texts.Send(ctx, m)
		}),
	})
	require.NoError(t, err)
	mux.Handle("/twilio/sms-status", &smstwilio.MessageStatusHandler{Manager: w.m, AuthToken: token, PublicURL: w.hooks.URL, Clock: w.clock.Now})
	mux.Handle("/twilio/call-status", &voicetwilio.CallStatusHandler{Manager: w.m, Validator: &voicetwilio.Validator{AuthToken: token, PublicURL: w.hooks.URL}, Clock: w.clock.Now})

	ctx := context.Background()
	for kind, addr := range map[factor.Kind]string{factor.KindSMS: "06-12345678", factor.KindVoice: "020-1234567"} {
		e, err := w.m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: kind, Address: addr}, w.clock.Now())
		require.NoError(t, err)
		if kind == factor.KindSMS {
			w.sms = e.ID
		} else {
			w.voice = e.ID
		}
	}
	return w
}

// challenge sends a code to enrollment id and returns its challenge and
// the StatusCallback URL Twilio was given for it.
func (w *receiptsWorld) challenge(t *testing.T, id string) (string, string) {
	t.Helper()
	sent, err := w.m.Challenge(context.Background(), factor.ChallengeRequest{UserID: "alice", EnrollmentID: id}, w.clock.Now())
	require.NoError(t, err)
	reqs := w.twilio.Requests()
	cb := reqs[len(reqs)-1].Form.Get("StatusCallback")
	require.NotEmpty(t, cb, "receipts were asked for")
	return sent.ChallengeID, cb
}

// callback posts form to u as Twilio does: signed with the auth token.
func callback(t *testing.T, u string, form url.Values) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(voicetwilio.SignatureHeader, voicetwilio.Sign(token, u, form))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
}

// TestDeliveryReceiptsReachChallengeStatus: with delivery receipts on, the
// page learns from ChallengeStatus after exactly one callback that a code
// did not reach the user, and that one did.
func TestDeliveryReceiptsReachChallengeStatus(t *testing.T) {
	tests := []struct {
		name string
		sms  bool
		form url.Values
		want factor.ChallengeState
	}{
		{"sms undelivered", true, url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}, "To": {mobile}}, factor.ChallengeUndelivered},
		{"sms failed", true, url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"failed"}, "ErrorCode": {"30008"}, "To": {mobile}}, factor.ChallengeUndelivered},
		{"sms delivered", true, url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "To": {mobile}}, factor.ChallengeDelivered},
		{"call no-answer", false, url.Values{"CallSid": {"CA1"}, "CallStatus": {"no-answer"}, "To": {"+31201234567"}}, factor.ChallengeUndelivered},
		{"call busy", false, url.Values{"CallSid": {"CA1"}, "CallStatus": {"busy"}, "To": {"+31201234567"}}, factor.ChallengeUndelivered},
		{"call completed", false, url.Values{"CallSid": {"CA1"}, "CallStatus": {"completed"}, "CallDuration": {"24"}, "To": {"+31201234567"}}, factor.ChallengeDelivered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newReceiptsWorld(t)
			id := w.voice
			if tt.sms {
				id = w.sms
			}
			challenge, cb := w.challenge(t, id)
			status := func() factor.ChallengeState {
				s, err := w.m.ChallengeStatus(context.Background(), "alice", challenge, w.clock.Now())
				require.NoError(t, err)
				return s
			}
			assert.Equal(t, factor.ChallengePending, status(), "before the receipt")
			callback(t, cb, tt.form)
			assert.Equal(t, tt.want, status(), "after one receipt")
		})
	}
}
