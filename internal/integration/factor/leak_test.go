package factor_test

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/factor/phone"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/sms/bird"
	"github.com/twostep/twostep/sms/twilio"
	"github.com/twostep/twostep/totp"
	"github.com/twostep/twostep/trust"
	"github.com/twostep/twostep/voice"
)

// minSecret is the shortest value the leak check searches for: shorter
// ones, such as the two keypad digits, occur everywhere by chance.
const minSecret = 6

// leakCheck collects every secret a test handles and everything that
// leaves the library in the open (log output, audit events and
// notifications, errors and the user messages made of them) and fails the
// test if any of the latter holds any of the former.
type leakCheck struct {
	t       *testing.T
	logs    *factortest.LogBuffer
	events  *eventLog
	mu      sync.Mutex
	secrets map[string]string // secret → what it is
	errs    []error
}

func newLeakCheck(t *testing.T) *leakCheck {
	l := &leakCheck{t: t, events: &eventLog{}, secrets: make(map[string]string)}
	t.Cleanup(l.check)
	return l
}

// secret records values as secrets of the given kind, in the forms they
// could leak in.
func (l *leakCheck) secret(what string, values ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range values {
		for _, form := range []string{v, strings.ToLower(v), strings.ReplaceAll(v, "-", ""), strings.ReplaceAll(v, " ", "")} {
			if len(form) >= minSecret {
				l.secrets[form] = what
			}
		}
	}
}

// bytes records a binary secret in the encodings it could leak in.
func (l *leakCheck) bytes(what string, b []byte) {
	l.secret(what, string(b), hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b),
		fmt.Sprintf("%v", b), fmt.Sprintf("%q", b))
}

// err records err, if any, and returns it.
func (l *leakCheck) err(err error) error {
	if err != nil {
		l.mu.Lock()
		l.errs = append(l.errs, err)
		l.mu.Unlock()
	}
	return err
}

// outputs is everything that left the library in the open, by origin.
func (l *leakCheck) outputs() map[string]string {
	out := map[string]string{"log": l.logs.String()}
	for i, err := range l.errs {
		out[fmt.Sprintf("error %d", i)] = fmt.Sprintf("%v | %+v | %#v", err, err, err.Error())
		out[fmt.Sprintf("user message %d", i)] = factor.UserMessage(err, "en") + factor.UserMessage(err, "nl")
	}
	l.events.mu.Lock()
	defer l.events.mu.Unlock()
	for i, e := range l.events.events {
		out[fmt.Sprintf("event %d (%s)", i, e.Type)] = fmt.Sprintf("%+v", e)
	}
	return out
}

func (l *leakCheck) check() {
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotEmpty(l.t, l.secrets, "the test handled no secrets")
	require.NotEmpty(l.t, l.errs, "the test saw no errors")
	for where, text := range l.outputs() {
		for s, what := range l.secrets {
			if strings.Contains(text, s) {
				l.t.Errorf("%s leaks in %s", what, where)
			}
		}
	}
}

// dropTime leaves the wall-clock time out of log lines: its nanoseconds
// would match a six-digit code now and then.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// leakEnv is a Manager with every factor on a memstore, whose logs,
// events and notifications a leakCheck watches.
type leakEnv struct {
	*leakCheck
	ctx    context.Context
	m      *factor.Manager
	app    *totp.Factor
	sender *factortest.RecordingSender
	sw     *switchSender
	rec    *recovery.Codes
	dev    *trust.Devices
	now    time.Time
	// apps are each user's authenticator app (ID and secret), for the
	// second step that adding another method asks.
	apps map[string][2]string
}

// stepUp passes a second step of user with the authenticator app, a step
// later than any code used so far, and returns the grant; empty when the
// user has none.
func (e *leakEnv) stepUp(user string) string {
	e.t.Helper()
	app, ok := e.apps[user]
	if !ok {
		return ""
	}
	e.now = e.now.Add(30 * time.Second)
	code := codeFor([]byte(app[1]), e.now)
	e.secret("a TOTP code", code)
	res, err := e.m.Verify(e.ctx, factor.Answer{UserID: user, EnrollmentID: app[0], Code: code}, e.now)
	require.NoError(e.t, e.err(err))
	return res.StepUp
}

func newLeakEnv(t *testing.T, policy factor.Policy) *leakEnv {
	t.Helper()
	l := newLeakCheck(t)
	l.logs = &factortest.LogBuffer{}
	logger := slog.New(slog.NewJSONHandler(l.logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime}))
	e := &leakEnv{leakCheck: l, ctx: context.Background(), sender: &factortest.RecordingSender{}, now: t0}
	e.sw = &switchSender{to: e.sender}
	key := factor.ServerKey{ID: "k1", Secret: []byte("server-key-that-must-never-leak!")}
	l.bytes("the server key", key.Secret)
	var err error
	e.app, err = totp.New(totp.Config{Issuer: "Portal"})
	require.NoError(t, err)
	smsF, err := sms.New(sms.Config{AppName: "Portal", Phones: phone.Parser{AllowedRegions: []string{"NL"}}})
	require.NoError(t, err)
	voiceF, err := voice.New(voice.Config{AppName: "Portal"})
	require.NoError(t, err)
	emailF, err := email.New(email.Config{AppName: "Portal"})
	require.NoError(t, err)
	e.m, err = factor.NewManager(factor.Config{
		Store: memstore.New(), Factors: []factor.Factor{e.app, smsF, voiceF, emailF}, Keys: []factor.ServerKey{key},
		Sender: e.sw, Logger: logger, Events: l.events, Notifier: l.events, Policy: policy,
	})
	require.NoError(t, err)
	e.rec, err = recovery.New(e.m, recovery.Config{})
	require.NoError(t, err)
	e.dev, err = trust.New(e.m, trust.Config{})
	require.NoError(t, err)
	return e
}

// lastCode returns the code of the last message sent and records it.
func (e *leakEnv) lastCode() factor.Message {
	e.t.Helper()
	msg, ok := e.sender.Last()
	require.True(e.t, ok, "nothing was sent")
	e.secret("a delivered code", msg.Code)
	return msg
}

// verify sends a to Verify, or to Confirm, and records the error.
func (e *leakEnv) verify(a factor.Answer, confirm bool) error {
	if confirm {
		return e.err(factortest.Err(e.m.Confirm(e.ctx, a, e.now)))
	}
	return e.err(factortest.Err(e.m.Verify(e.ctx, a, e.now)))
}

// typed are things people type into a code field by mistake, such as
// their password; no error or log may repeat them.
var typed = []string{"Hunter2-my-password", "my password is hunter2", strings.Repeat("9", 80), "12345six"}

// typo tries every typed mistake against a.
func (e *leakEnv) typo(a factor.Answer, confirm bool) {
	e.secret("what a person typed", typed...)
	for _, s := range typed {
		a.Code = s
		require.Error(e.t, e.verify(a, confirm))
	}
}

// TestNoSecretLeaks runs every kind of second step, with right, wrong,
// replayed, expired and mistyped input, and proves that no secret reaches
// a log line, an audit event, a notification, an error or a user message.
func TestNoSecretLeaks(t *testing.T) {
	t.Run("TOTP", func(t *testing.T) { newLeakEnv(t, factor.Policy{}).totpFlow() })
	t.Run("SMS", func(t *testing.T) { newLeakEnv(t, factor.Policy{}).smsFlow() })
	t.Run("keypad", func(t *testing.T) { newLeakEnv(t, factor.Policy{}).keypadFlow() })
	t.Run("email", func(t *testing.T) { newLeakEnv(t, factor.Policy{}).emailFlow() })
	t.Run("recovery", func(t *testing.T) { newLeakEnv(t, factor.Policy{}).recoveryFlow() })
	t.Run("trust", func(t *testing.T) { newLeakEnv(t, factor.Policy{}).trustFlow() })
	t.Run("activation", func(t *testing.T) { newLeakEnv(t, factor.Policy{RequireActivation: true}).activationFlow() })
	t.Run("providers", func(t *testing.T) { newLeakEnv(t, factor.Policy{}).providerFlow() })
}

// enrolTOTP enrols and confirms an authenticator app for user, recording
// its secret in every form a person or a log could see it.
func (e *leakEnv) enrolTOTP(user string) (string, []byte) {
	e.t.Helper()
	en, err := e.m.Enroll(e.ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, Label: "App"}, e.now)
	require.NoError(e.t, err)
	key, err := e.app.Key(en.Secret, user+"@example.com")
	require.NoError(e.t, err)
	e.bytes("a TOTP secret", en.Secret)
	e.secret("a TOTP key", key.Text(), key.URI())
	code := codeFor(en.Secret, e.now)
	e.secret("a TOTP code", code)
	a := factor.Answer{UserID: user, EnrollmentID: en.ID}
	e.typo(a, true)
	a.Code = wrongDigits(code)
	e.secret("a wrong TOTP code", a.Code)
	require.Error(e.t, e.verify(a, true))
	a.Code = code
	require.NoError(e.t, e.verify(a, true))
	if e.apps == nil {
		e.apps = map[string][2]string{}
	}
	e.apps[user] = [2]string{en.ID, string(en.Secret)}
	return en.ID, en.Secret
}

func (e *leakEnv) totpFlow() {
	id, secret := e.enrolTOTP("alice")
	e.now = e.now.Add(time.Minute)
	code := codeFor(secret, e.now)
	e.secret("a TOTP code", code)
	a := factor.Answer{UserID: "alice", EnrollmentID: id, Code: code}
	require.NoError(e.t, e.verify(a, false))
	require.Error(e.t, e.verify(a, false), "replayed")
	a.Code = codeFor(secret, e.now.Add(-10*time.Minute))
	e.secret("an expired TOTP code", a.Code)
	require.Error(e.t, e.verify(a, false))
	e.typo(a, false)
	require.Error(e.t, e.verify(factor.Answer{UserID: "mallory", EnrollmentID: id, Code: code}, false))
	for range 12 { // into the lock, and a right code while locked
		a.Code = codeFor(secret, e.now.Add(30*time.Second))
		_ = e.verify(a, false)
	}
	_, err := e.m.Status(e.ctx, factor.StatusRequest{UserID: "alice"}, e.now)
	require.NoError(e.t, err)
}

// enrolPhone enrols and confirms a phone number of kind k for user.
func (e *leakEnv) enrolPhone(user string, k factor.Kind, number string) string {
	e.t.Helper()
	en, err := e.m.Enroll(e.ctx, factor.EnrollRequest{UserID: user, Kind: k, Address: number, StepUp: e.stepUp(user)}, e.now)
	require.NoError(e.t, e.err(err))
	sent, err := e.m.Challenge(e.ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: en.ID, Language: "nl"}, e.now)
	require.NoError(e.t, err)
	a := factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: e.lastCode().Code}
	e.typo(a, true)
	require.NoError(e.t, e.verify(a, true))
	e.now = e.now.Add(time.Minute) // past the resend cooldown
	return en.ID
}

func (e *leakEnv) smsFlow() {
	_, err := e.m.Enroll(e.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "020-1234567"}, e.now)
	require.Error(e.t, e.err(err), "a landline gets no texts")
	id := e.enrolPhone("alice", factor.KindSMS, "06-12345678")
	sent, err := e.m.Challenge(e.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: id, Language: "en"}, e.now)
	require.NoError(e.t, err)
	old := e.lastCode().Code
	_, err = e.m.Resend(e.ctx, "alice", sent.ChallengeID, "en", e.now)
	require.Error(e.t, e.err(err), "too soon")
	e.now = e.now.Add(time.Minute)
	_, err = e.m.Resend(e.ctx, "alice", sent.ChallengeID, "en", e.now)
	require.NoError(e.t, err)
	a := factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: old}
	require.Error(e.t, e.verify(a, false), "replaced by the resend")
	a.Code = wrongDigits(e.lastCode().Code)
	require.Error(e.t, e.verify(a, false))
	a.Code = e.lastCode().Code
	require.NoError(e.t, e.verify(a, false))
	require.Error(e.t, e.verify(a, false), "reused")
	e.now = e.now.Add(10 * time.Minute)
	require.Error(e.t, e.verify(a, false), "expired")
}

func (e *leakEnv) keypadFlow() {
	id := e.enrolPhone("alice", factor.KindVoice, "020-1234567")
	h, err := voice.NewHandler(e.m, voice.AuthenticatorFunc(func(*http.Request) error { return nil }))
	require.NoError(e.t, err)
	h.Clock = func() time.Time { return e.now }
	for _, wrong := range []bool{true, false} {
		sent, err := e.m.Challenge(e.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: id, Keypad: true}, e.now)
		require.NoError(e.t, err)
		digits := sent.ScreenDigits
		if wrong {
			digits = wrongDigits(digits)
		}
		form := url.Values{"Digits": {digits}}
		for _, s := range typed {
			form.Add("Junk", s)
		}
		req := httptest.NewRequest(http.MethodPost, "/voice?challenge="+sent.ChallengeID, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), req)
		_ = e.verify(factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, false)
		e.now = e.now.Add(time.Minute) // past the resend cooldown
	}
	e.secret("what a person typed", typed...)
	_ = e.err(e.m.ApproveKeypad(e.ctx, "no-such-challenge", "12", e.now))
}

func (e *leakEnv) emailFlow() {
	id := e.enrolPhone("erin", factor.KindEmail, "erin.secret-name@example.com")
	_, err := e.m.Challenge(e.ctx, factor.ChallengeRequest{UserID: "erin", EnrollmentID: id}, e.now)
	require.NoError(e.t, err)
	msg := e.lastCode()
	e.secret("an email body", msg.Text, msg.HTML)
	_, err = e.m.Enroll(e.ctx, factor.EnrollRequest{UserID: "erin", Kind: factor.KindEmail, Address: "not an address"}, e.now)
	require.Error(e.t, e.err(err))
}

func (e *leakEnv) recoveryFlow() {
	e.enrolTOTP("alice")
	codes, err := e.rec.Generate(e.ctx, "alice", e.now)
	require.NoError(e.t, err)
	e.secret("a recovery code", codes...)
	for _, c := range []string{"AAAA-BBBB-CCCC-DDDD", typed[0], typed[2], codes[0], codes[0], strings.ToLower(codes[1])} {
		_, err := e.rec.Redeem(e.ctx, "alice", c, e.now)
		_ = e.err(err)
	}
	_, err = e.rec.Generate(e.ctx, "alice", e.now)
	require.NoError(e.t, err)
	_, err = e.rec.Redeem(e.ctx, "alice", codes[2], e.now)
	require.Error(e.t, e.err(err), "replaced by a new set")
}

func (e *leakEnv) trustFlow() {
	e.enrolTOTP("alice")
	token, err := e.dev.Remember(e.ctx, "alice", "Firefox on Linux", 12*time.Hour, e.now)
	require.NoError(e.t, err)
	_, validator, _ := strings.Cut(token, ".")
	e.secret("a device token", token, validator)
	rec := httptest.NewRecorder()
	e.dev.SetCookie(rec, token, 12*time.Hour)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", rec.Header().Get("Set-Cookie"))
	got := e.dev.TokenFromRequest(req)
	for _, c := range []struct{ user, token string }{{"alice", got}, {"mallory", got}, {"alice", tamper(got)}, {"alice", typed[0]}} {
		st, err := e.m.Status(e.ctx, factor.StatusRequest{UserID: c.user, DeviceToken: c.token, Devices: e.dev}, e.now)
		require.NoError(e.t, err)
		if !st.DeviceTrusted {
			_ = e.err(errNotTrusted)
		}
	}
	_, err = e.dev.Remember(e.ctx, "alice", typed[0], 13*time.Hour, e.now)
	require.Error(e.t, e.err(err))
	require.NoError(e.t, e.dev.RevokeAll(e.ctx, "alice", "alice", e.now))
}

func (e *leakEnv) activationFlow() {
	require.Error(e.t, e.err(e.m.Activate(e.ctx, "kees", "AAAA-BBBB-CCCC", e.now)), "none issued")
	code, err := e.m.IssueActivationCode(e.ctx, "kees", "servicedesk", e.now)
	require.NoError(e.t, err)
	e.secret("an activation code", code)
	for _, c := range append([]string{"AAAA-BBBB-CCCC", code, code}, typed...) {
		_ = e.err(e.m.Activate(e.ctx, "kees", c, e.now))
	}
	e.enrolTOTP("kees")
	fresh, err := e.m.Reset(e.ctx, factor.ResetRequest{UserID: "kees", Actor: "admin", Reason: "lost phone", IssueActivationCode: true}, e.now)
	require.NoError(e.t, err)
	e.secret("an activation code", fresh)
	e.now = e.now.Add(22 * 24 * time.Hour)
	require.Error(e.t, e.err(e.m.Activate(e.ctx, "kees", fresh, e.now)), "expired")
}

// providerFlow sends through Twilio and Bird stand-ins that refuse every
// message with an answer repeating the request, credentials, code and
// number included: none of it may come back in an error or a log.
func (e *leakEnv) providerFlow() {
	id := e.enrolPhone("alice", factor.KindSMS, "06-12345678")
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code": 21211, "message": %q, "status": 400}`, r.Header.Get("Authorization")+" "+string(body))
	}))
	defer srv.Close()
	tw, err := twilio.New(twilio.Config{AccountSID: "ACleak", AuthToken: "twilio-auth-token-must-not-leak", From: "+3197010000000", BaseURL: srv.URL})
	require.NoError(e.t, err)
	bd, err := bird.New(bird.Config{AccessKey: "bird-access-key-must-not-leak", WorkspaceID: "0c6a0ee4-5e1f-4a4c-9c36-6a1a3c1e2d41", ChannelID: "5f1f0c2a-9b7e-4e0e-8d1a-1f2e3d4c5b6a", BaseURL: srv.URL})
	require.NoError(e.t, err)
	e.secret("a provider credential", "twilio-auth-token-must-not-leak", "bird-access-key-must-not-leak",
		base64.StdEncoding.EncodeToString([]byte("ACleak:twilio-auth-token-must-not-leak")))
	for i, s := range []factor.Sender{tw, bd} {
		e.sw.set(s)
		e.now = e.now.Add(time.Hour)
		_, err := e.m.Challenge(e.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: id}, e.now)
		require.ErrorIs(e.t, e.err(err), factor.ErrDelivery, "sender %d", i)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(e.t, bodies, 2)
	for _, b := range bodies {
		e.secret("a message that failed to go out", b)
		e.secret("a code or number in a message that failed to go out", digitRuns(b)...)
	}
}

// digitRuns returns the runs of six or more digits in s: the codes in a
// provider request.
func digitRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}
