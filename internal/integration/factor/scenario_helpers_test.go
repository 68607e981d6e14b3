package factor_test

import (
	"context"
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
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/totp"
	"github.com/twostep/twostep/voice"
)

// platform is one seed's portal wired with every factor on a memstore,
// a recording sender, a settable clock, a captured log and an event log.
type platform struct {
	t       *testing.T
	ctx     context.Context
	m       *factor.Manager
	app     *totp.Factor
	clock   *factortest.Clock
	sender  *factortest.RecordingSender
	logs    *factortest.LogBuffer
	events  *eventLog
	secrets *secretLog
	// apps and phones are each user's last confirmed authenticator app
	// (ID and secret) and delivered-code enrollment, for the second step
	// that adding another asks.
	apps map[string]struct {
		id     string
		secret []byte
	}
	phones map[string]string
}

// stepUp passes a second step of user, as a person does before adding a
// method, and returns the grant; empty when the user has nothing yet.
func (p *platform) stepUp(user string) string {
	p.t.Helper()
	if st, err := p.m.Status(p.ctx, factor.StatusRequest{UserID: user}, p.now()); err == nil && !st.Enabled {
		delete(p.apps, user) // reset or disabled: nothing to step up with
		delete(p.phones, user)
	}
	if app, ok := p.apps[user]; ok {
		p.clock.Advance(30 * time.Second)
		res, err := p.m.Verify(p.ctx, factor.Answer{UserID: user, EnrollmentID: app.id, Code: p.totpCode(app.secret, 0)}, p.now())
		require.NoError(p.t, err)
		return res.StepUp
	}
	if id, ok := p.phones[user]; ok {
		p.clock.Advance(time.Minute)
		sent, err := p.m.Challenge(p.ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: id, Language: "nl"}, p.now())
		require.NoError(p.t, err)
		res, err := p.m.Verify(p.ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: p.lastCode()}, p.now())
		require.NoError(p.t, err)
		p.clock.Advance(time.Minute)
		return res.StepUp
	}
	return ""
}

// secretLog collects every secret a scenario sees, to prove none leaks.
type secretLog struct {
	mu sync.Mutex
	s  []string
}

func (l *secretLog) add(s ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s = append(l.s, s...)
}

func newPlatform(t *testing.T, policy factor.Policy, start time.Time, codes factor.DeliveredCodes) *platform {
	t.Helper()
	p := &platform{t: t, ctx: context.Background(), clock: factortest.NewClock(start), sender: &factortest.RecordingSender{}, events: &eventLog{}, secrets: &secretLog{}}
	logger, logs := factortest.NewLogger()
	p.logs = logs
	var err error
	p.app, err = totp.New(totp.Config{Issuer: "Portal", Window: totp.Steps(1, 0)})
	require.NoError(t, err)
	smsF, err := sms.New(sms.Config{AppName: "Portal", Phones: phone.Parser{AllowedRegions: []string{"NL"}}})
	require.NoError(t, err)
	voiceF, err := voice.New(voice.Config{AppName: "Portal"})
	require.NoError(t, err)
	emailF, err := email.New(email.Config{AppName: "Portal"})
	require.NoError(t, err)
	p.m, err = factor.NewManager(factor.Config{
		Store: memstore.New(), Factors: []factor.Factor{p.app, smsF, voiceF, emailF},
		Sender: p.sender, Logger: logger, Events: p.events, Policy: policy, Codes: codes,
	})
	require.NoError(t, err)
	t.Cleanup(p.checkNoLeaks)
	return p
}

func (p *platform) now() time.Time { return p.clock.Now() }

// enrolTOTP enrols and confirms an authenticator app, returning its ID and
// the secret, as a person scanning the QR code would have it.
func (p *platform) enrolTOTP(user string) (string, []byte) {
	p.t.Helper()
	e, err := p.m.Enroll(p.ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, Label: "App", StepUp: p.stepUp(user)}, p.now())
	require.NoError(p.t, err)
	key, err := p.app.Key(e.Secret, user+"@example.com")
	require.NoError(p.t, err)
	p.secrets.add(key.Text(), strings.ReplaceAll(key.Text(), " ", ""), string(e.Secret))
	require.NoError(p.t, factortest.Err(p.m.Confirm(p.ctx, factor.Answer{UserID: user, EnrollmentID: e.ID, Code: p.totpCode(e.Secret, 0)}, p.now())))
	if p.apps == nil {
		p.apps = map[string]struct {
			id     string
			secret []byte
		}{}
	}
	p.apps[user] = struct {
		id     string
		secret []byte
	}{e.ID, e.Secret}
	return e.ID, e.Secret
}

// totpCode computes the code an authenticator app shows, offset steps
// from now.
func (p *platform) totpCode(secret []byte, offset int) string {
	c := codeFor(secret, p.now().Add(time.Duration(offset)*30*time.Second))
	p.secrets.add(c)
	return c
}

// enrolAddress enrols a phone number or email address of kind k and confirms it with
// the code the sender recorded.
func (p *platform) enrolAddress(user string, k factor.Kind, addr, replaces string) string {
	p.t.Helper()
	e, err := p.m.Enroll(p.ctx, factor.EnrollRequest{UserID: user, Kind: k, Address: addr, Replaces: replaces, StepUp: p.stepUp(user)}, p.now())
	require.NoError(p.t, err)
	sent, err := p.m.Challenge(p.ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID, Language: "nl"}, p.now())
	require.NoError(p.t, err)
	require.NoError(p.t, factortest.Err(p.m.Confirm(p.ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: p.lastCode()}, p.now())))
	if p.phones == nil {
		p.phones = map[string]string{}
	}
	if replaces == "" {
		p.phones[user] = e.ID
	}
	return e.ID
}

// login answers a challenge sent to enrollment id with the delivered code.
func (p *platform) loginWithCode(user, id string) error {
	p.t.Helper()
	sent, err := p.m.Challenge(p.ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: id, Language: "en"}, p.now())
	require.NoError(p.t, err)
	return factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: p.lastCode()}, p.now()))
}

func (p *platform) lastCode() string {
	p.t.Helper()
	msg, ok := p.sender.Last()
	require.True(p.t, ok, "nothing was sent")
	p.secrets.add(msg.Code)
	return msg.Code
}

func (p *platform) status(user string) *factor.Status {
	p.t.Helper()
	st, err := p.m.Status(p.ctx, factor.StatusRequest{UserID: user}, p.now())
	require.NoError(p.t, err)
	return st
}

// sawEvents asserts that the events of the given types happened, in order.
func (p *platform) sawEvents(types ...factor.EventType) {
	p.t.Helper()
	got := p.events.types()
	i := 0
	for _, g := range got {
		if i < len(types) && g == types[i] {
			i++
		}
	}
	require.Equal(p.t, len(types), i, "events %v not all seen in order in %v", types, got)
}

// checkNoLeaks searches every log line and event for every secret seen.
func (p *platform) checkNoLeaks() {
	p.secrets.mu.Lock()
	defer p.secrets.mu.Unlock()
	logs := p.logs.String()
	p.events.mu.Lock()
	defer p.events.mu.Unlock()
	for _, s := range p.secrets.s {
		if len(s) < 6 {
			continue
		}
		if strings.Contains(logs, s) {
			p.t.Errorf("a secret appears in the logs")
		}
		for _, e := range p.events.events {
			if strings.Contains(e.Reason+e.Actor+e.EnrollmentID+e.UserID, s) {
				p.t.Errorf("a secret appears in event %v", e.Type)
			}
		}
	}
}
