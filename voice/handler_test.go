package voice_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/voice"
)

const user = "alice"

// providerKey signs the fake provider's callbacks.
const providerKey = "provider secret"

// sign computes the fake provider's signature over the URL and the body,
// the way Twilio signs over the URL and the sorted parameters.
func sign(rawURL, body string) string {
	h := hmac.New(sha256.New, []byte(providerKey))
	h.Write([]byte(rawURL + "\n" + body))
	return hex.EncodeToString(h.Sum(nil))
}

// fakeAuth checks the fake provider's signature; it reads the body and puts
// it back, as a provider's Authenticator may.
func fakeAuth(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	want := sign("http://"+r.Host+r.URL.RequestURI(), string(body))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Signature"))) {
		return errors.New("bad signature")
	}
	return nil
}

type keypadEnv struct {
	*messagetest.Env
	srv    *httptest.Server
	events *eventCount
}

type eventCount struct {
	mu sync.Mutex
	n  map[factor.EventType]int
}

func (c *eventCount) Event(_ context.Context, e factor.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[e.Type]++
}

func (c *eventCount) get(t factor.EventType) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[t]
}

func newKeypadEnv(t *testing.T, responder voice.Responder) *keypadEnv {
	t.Helper()
	ev := &eventCount{n: map[factor.EventType]int{}}
	env := messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{newFactor(t, voice.Config{AppName: "Acme"})}, Events: ev})
	h, err := voice.NewHandler(env.M, voice.AuthenticatorFunc(fakeAuth))
	require.NoError(t, err)
	h.Clock, h.Responder = env.Clock.Now, responder
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &keypadEnv{Env: env, srv: srv, events: ev}
}

// post is the fake provider: it posts the digits the user typed for a
// challenge, signed unless forged.
func (k *keypadEnv) post(t *testing.T, challengeID, digits string, forged bool) *http.Response {
	t.Helper()
	u := k.srv.URL + "/voice/keypad?challenge=" + url.QueryEscape(challengeID)
	body := url.Values{"Digits": {digits}, "CallSid": {"CA123"}}.Encode()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sig := sign(u, body)
	if forged {
		sig = sign(u, "Digits=00")
	}
	req.Header.Set("X-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func (k *keypadEnv) status(t *testing.T, challengeID string) factor.ChallengeState {
	t.Helper()
	s, err := k.M.ChallengeStatus(context.Background(), user, challengeID, k.Now())
	require.NoError(t, err)
	return s
}

func (k *keypadEnv) tries(t *testing.T, challengeID string) int {
	t.Helper()
	c, err := k.Store.GetChallenge(context.Background(), challengeID)
	require.NoError(t, err)
	return c.Tries
}

func (k *keypadEnv) verify(challengeID, code string) error {
	return factortest.Err(k.M.Verify(context.Background(), factor.Answer{UserID: user, ChallengeID: challengeID, Code: code}, k.Now()))
}

// keypadChallenge returns a confirmed landline's keypad challenge and its
// screen digits.
func (k *keypadEnv) keypadChallenge(t *testing.T) (*factor.Sent, string) {
	t.Helper()
	e := k.EnrollConfirmed(t, user, factor.KindVoice, "020-1234567")
	sent, digits := k.Challenge(t, user, e.ID, true)
	require.Len(t, sent.ScreenDigits, 2)
	require.Equal(t, sent.ScreenDigits, digits, "the call asks for the digits the screen shows")
	return sent, digits
}

func otherDigits(d string) string {
	if d == "11" {
		return "22"
	}
	return "11"
}

func TestKeypadApproves(t *testing.T) {
	k := newKeypadEnv(t, nil)
	sent, digits := k.keypadChallenge(t)
	assert.Equal(t, factor.ChallengePending, k.status(t, sent.ChallengeID))

	resp := k.post(t, sent.ChallengeID, digits, false)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, factor.ChallengeApproved, k.status(t, sent.ChallengeID), "the page learns it by polling")

	require.NoError(t, k.verify(sent.ChallengeID, ""), "the page completes the login once")
	assert.ErrorIs(t, k.verify(sent.ChallengeID, ""), factor.ErrInvalidCode, "and only once")
	assert.Equal(t, factor.ChallengeUsed, k.status(t, sent.ChallengeID))
	assert.Equal(t, http.StatusNoContent, k.post(t, sent.ChallengeID, digits, false).StatusCode, "a late callback changes nothing")
	assert.Equal(t, factor.ChallengeUsed, k.status(t, sent.ChallengeID))
}

func TestKeypadWrongDigitsCount(t *testing.T) {
	k := newKeypadEnv(t, nil)
	sent, digits := k.keypadChallenge(t)
	failed := k.events.get(factor.EventFailed)
	assert.Equal(t, http.StatusNoContent, k.post(t, sent.ChallengeID, otherDigits(digits), false).StatusCode)
	assert.Equal(t, failed+1, k.events.get(factor.EventFailed), "a counted failure")
	assert.Equal(t, 1, k.tries(t, sent.ChallengeID))
	assert.Equal(t, factor.ChallengePending, k.status(t, sent.ChallengeID))
	assert.ErrorIs(t, k.verify(sent.ChallengeID, ""), factor.ErrInvalidCode, "not approved")
}

func TestKeypadForgedRequest(t *testing.T) {
	k := newKeypadEnv(t, nil)
	sent, digits := k.keypadChallenge(t)
	failed := k.events.get(factor.EventFailed)
	assert.Equal(t, http.StatusForbidden, k.post(t, sent.ChallengeID, digits, true).StatusCode)
	assert.Equal(t, factor.ChallengePending, k.status(t, sent.ChallengeID))
	assert.Equal(t, 0, k.tries(t, sent.ChallengeID), "no try used")
	assert.Equal(t, failed, k.events.get(factor.EventFailed), "no failure counted")
	assert.Equal(t, http.StatusNoContent, k.post(t, sent.ChallengeID, digits, false).StatusCode)
	assert.Equal(t, factor.ChallengeApproved, k.status(t, sent.ChallengeID), "the genuine callback still works")
}

func TestKeypadScreenDigitsOnPageFail(t *testing.T) {
	k := newKeypadEnv(t, nil)
	sent, digits := k.keypadChallenge(t)
	assert.ErrorIs(t, k.verify(sent.ChallengeID, digits), factor.ErrInvalidCode, "typing the screen digits on the page proves nothing")
	assert.ErrorIs(t, k.verify(sent.ChallengeID, ""), factor.ErrInvalidCode, "nor does an empty code before the call")
	require.Equal(t, http.StatusNoContent, k.post(t, sent.ChallengeID, digits, false).StatusCode)
	assert.ErrorIs(t, k.verify(sent.ChallengeID, digits), factor.ErrInvalidCode, "not even once approved")
	assert.NoError(t, k.verify(sent.ChallengeID, ""))
}

// TestKeypadConfirmsEnrollment is seed 001: a new number is confirmed by a
// keypad call.
func TestKeypadConfirmsEnrollment(t *testing.T) {
	k := newKeypadEnv(t, nil)
	e := k.Enroll(t, user, factor.KindVoice, "020-1234567")
	sent, digits := k.Challenge(t, user, e.ID, true)
	require.Equal(t, http.StatusNoContent, k.post(t, sent.ChallengeID, digits, false).StatusCode)
	require.NoError(t, factortest.Err(k.M.Confirm(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID}, k.Now())))
	list, err := k.M.Enrollments(context.Background(), user, k.Now())
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.True(t, list[0].Confirmed)
	assert.True(t, list[0].Primary)
}

func TestKeypadMalformed(t *testing.T) {
	k := newKeypadEnv(t, nil)
	sent, _ := k.keypadChallenge(t)
	for _, digits := range []string{"", "4", "123", "4a", "#4"} {
		assert.Equal(t, http.StatusBadRequest, k.post(t, sent.ChallengeID, digits, false).StatusCode, digits)
	}
	assert.Equal(t, http.StatusBadRequest, k.post(t, "", "12", false).StatusCode, "no challenge")
	assert.Equal(t, http.StatusBadRequest, k.post(t, "bad id!", "12", false).StatusCode)
	assert.Equal(t, 0, k.tries(t, sent.ChallengeID), "nothing changed")
	assert.Equal(t, http.StatusNoContent, k.post(t, "unknownchallenge", "12", false).StatusCode, "unknown: rejected")
}

func TestKeypadMethodAndMissingAuth(t *testing.T) {
	k := newKeypadEnv(t, nil)
	resp, err := http.Get(k.srv.URL + "?challenge=x&Digits=12")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	sent, digits := k.keypadChallenge(t)
	h := &voice.Handler{Manager: k.M} // no Auth: refuses everything
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/?challenge="+sent.ChallengeID, strings.NewReader("Digits="+digits))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, factor.ChallengePending, k.status(t, sent.ChallengeID))

	_, err = voice.NewHandler(nil, voice.AuthenticatorFunc(fakeAuth))
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
	_, err = voice.NewHandler(k.M, nil)
	assert.ErrorIs(t, err, factor.ErrInvalidConfig)
}

type twimlResponder struct {
	mu       sync.Mutex
	outcomes []voice.Outcome
}

func (r *twimlResponder) Respond(w http.ResponseWriter, _ *http.Request, o voice.Outcome) {
	r.mu.Lock()
	r.outcomes = append(r.outcomes, o)
	r.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	_, _ = io.WriteString(w, "<Response><Say>"+o.String()+"</Say></Response>")
}

func TestKeypadResponder(t *testing.T) {
	r := &twimlResponder{}
	k := newKeypadEnv(t, r)
	sent, digits := k.keypadChallenge(t)
	assert.Equal(t, http.StatusOK, k.post(t, sent.ChallengeID, otherDigits(digits), false).StatusCode)
	assert.Equal(t, http.StatusOK, k.post(t, sent.ChallengeID, "1", false).StatusCode)
	assert.Equal(t, http.StatusOK, k.post(t, sent.ChallengeID, digits, false).StatusCode)
	assert.Equal(t, http.StatusForbidden, k.post(t, sent.ChallengeID, digits, true).StatusCode, "forgeries get no reply of the provider's")
	assert.Equal(t, []voice.Outcome{voice.Rejected, voice.Malformed, voice.Approved}, r.outcomes)
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[voice.Outcome]string{voice.Approved: "approved", voice.Rejected: "rejected", voice.Malformed: "malformed", voice.Failed: "failed", voice.Expired: "expired", 0: "unknown"} {
		assert.Equal(t, want, o.String())
	}
}

// TestKeypadResendReplacesApproval: a resend replaces the old digits, and
// with them an approval given for the old call.
func TestKeypadResendReplacesApproval(t *testing.T) {
	k := newKeypadEnv(t, nil)
	sent, digits := k.keypadChallenge(t)
	require.Equal(t, http.StatusNoContent, k.post(t, sent.ChallengeID, digits, false).StatusCode)
	require.Equal(t, factor.ChallengeApproved, k.status(t, sent.ChallengeID))

	k.Clock.Advance(30 * time.Second)
	again, err := k.M.Resend(context.Background(), user, sent.ChallengeID, "nl", k.Now())
	require.NoError(t, err)
	assert.Len(t, again.ScreenDigits, 2)
	assert.Equal(t, factor.ChallengePending, k.status(t, sent.ChallengeID), "the new call must be answered")
	assert.ErrorIs(t, k.verify(sent.ChallengeID, ""), factor.ErrInvalidCode)
	require.Equal(t, http.StatusNoContent, k.post(t, sent.ChallengeID, again.ScreenDigits, false).StatusCode)
	assert.NoError(t, k.verify(sent.ChallengeID, ""))
}

func TestKeypadResponderLateDigits(t *testing.T) {
	tests := map[string]func(k *keypadEnv, sent *factor.Sent, digits string){
		"expired": func(k *keypadEnv, sent *factor.Sent, _ string) { k.Clock.Advance(sent.ExpiresAt.Sub(k.Now())) },
		"used": func(k *keypadEnv, sent *factor.Sent, digits string) {
			require.Equal(t, http.StatusOK, k.post(t, sent.ChallengeID, digits, false).StatusCode)
			require.NoError(t, k.verify(sent.ChallengeID, ""))
		},
	}
	for name, before := range tests {
		t.Run(name, func(t *testing.T) {
			r := &twimlResponder{}
			k := newKeypadEnv(t, r)
			sent, digits := k.keypadChallenge(t)
			before(k, sent, digits)
			r.outcomes = nil
			assert.Equal(t, http.StatusOK, k.post(t, sent.ChallengeID, digits, false).StatusCode)
			assert.Equal(t, []voice.Outcome{voice.Expired}, r.outcomes)
		})
	}
}
