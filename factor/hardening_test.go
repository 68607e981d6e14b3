package factor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/totp"
	"github.com/twostep/twostep/trust"
)

// fakePhone is a Challenger standing in for sms and voice: it composes a
// plain message, so that the hardening tests depend on nothing but the
// Manager.
type fakePhone struct{ kind factor.Kind }

func (f fakePhone) Kind() factor.Kind { return f.kind }

func (f fakePhone) Compose(_ *factor.Enrollment, _ *factor.Challenge, code, _ string) (factor.Message, error) {
	return factor.Message{Text: "Your code is " + code}, nil
}

// The keys of a hardened world: keyOld seals everything until a test
// rotates to keyNew.
var (
	keyOld = factor.ServerKey{ID: "old", Secret: []byte("0123456789abcdef0123456789abcdef")}
	keyNew = factor.ServerKey{ID: "new", Secret: []byte("fedcba9876543210fedcba9876543210")}
)

// The secrets of alice's authenticator apps in a hardened world.
var (
	aliceSecret = []byte("alice-totp-secret-20")
	otherSecret = []byte("other-totp-secret-20")
)

// world is a Manager on a FaultStore over a memstore, with an authenticator
// app, fake SMS and voice factors, recovery codes and trusted devices.
// setup gives alice a confirmed app, two confirmed phones, a voice line,
// recovery codes, a trusted device and a lapsed pending enrollment; bob has
// nothing. Cases keep what their run needs in id, challenge and code.
type world struct {
	t      *testing.T
	ctx    context.Context
	fs     *factortest.FaultStore
	m      *factor.Manager
	sender *factortest.RecordingSender
	sw     *switchSender
	events *eventLog
	rec    *recovery.Codes
	dev    *trust.Devices
	policy factor.Policy
	now    time.Time
	leak   *leakWatch

	totpID, smsID, sms2ID, voiceID string
	token                          string
	recovery                       []string

	id, challenge, code string

	// grant is alice's last step-up grant and when it was issued.
	grant   string
	grantAt time.Time
}

// plainStore hides a store's optional factor.VerifiedStore and
// factor.ReservingStore, so that the Manager saves and resets in two store
// calls. It keeps the admin capabilities, which a FaultStore always offers.
type plainStore struct{ factor.Store }

func (p plainStore) PruneExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	return p.Store.(factor.PruningStore).PruneExpired(ctx, now, limit)
}

func (p plainStore) ForgetUser(ctx context.Context, userID string, prefixes []string) (int, error) {
	return p.Store.(factor.ForgettingStore).ForgetUser(ctx, userID, prefixes)
}

func (p plainStore) ListUsersEnrollments(ctx context.Context, userIDs []string) ([]*factor.Enrollment, error) {
	return p.Store.(factor.OverviewStore).ListUsersEnrollments(ctx, userIDs)
}

func (p plainStore) LockStates(ctx context.Context, userIDs []string) (map[string]factor.LockState, error) {
	return p.Store.(factor.OverviewStore).LockStates(ctx, userIDs)
}

// backing is the store behind a world's FaultStore.
type backing int

const (
	// mem is a memstore, which has factor.VerifiedStore.
	mem backing = iota
	// plainMem is a memstore without factor.VerifiedStore.
	plainMem
)

func (b backing) String() string {
	return [...]string{"memstore", "memstore without VerifiedStore"}[b]
}

// open returns a fresh, empty store.
func (b backing) open(t *testing.T) factor.Store {
	switch b {
	case plainMem:
		return plainStore{memstore.New()}
	}
	return memstore.New()
}

// newWorld builds the world at t0 on a fresh store, with everything set up
// an hour earlier.
func newWorld(t *testing.T, policy factor.Policy, b backing) *world {
	t.Helper()
	inner := b.open(t)
	w := &world{t: t, ctx: context.Background(), fs: &factortest.FaultStore{Inner: inner},
		sender: &factortest.RecordingSender{}, events: &eventLog{}, policy: policy, now: t0}
	w.sw = &switchSender{to: w.sender}
	w.watchLeaks()
	w.build(keyOld)
	w.setup()
	return w
}

// build makes the Manager, and the recovery codes and trusted devices on
// it, with the given keys, current key first.
func (w *world) build(keys ...factor.ServerKey) {
	app, err := totp.New(totp.Config{Issuer: "Hardening"})
	require.NoError(w.t, err)
	w.m, err = factor.NewManager(factor.Config{
		Store: w.fs.Store(), Keys: keys, Sender: w.sw, Policy: w.policy, Events: w.events, Logger: w.leak.logger,
		Factors: []factor.Factor{app, fakePhone{factor.KindSMS}, fakePhone{factor.KindVoice}},
	})
	require.NoError(w.t, err)
	w.rec, err = recovery.New(w.m, recovery.Config{})
	require.NoError(w.t, err)
	w.dev, err = trust.New(w.m, trust.Config{})
	require.NoError(w.t, err)
}

func (w *world) setup() {
	at := w.now.Add(-time.Hour)
	code, err := w.m.IssueActivationCode(w.ctx, "alice", "desk", at)
	require.NoError(w.t, err)
	w.leak.secret("an activation code", code)
	require.NoError(w.t, w.m.Activate(w.ctx, "alice", code, at))
	w.totpID = w.enrolTOTP("alice", aliceSecret, at)
	w.grantAt = time.Time{}
	w.smsID = w.enrolPhone(factor.KindSMS, "+31612345678", "", at)
	w.sms2ID = w.enrolPhone(factor.KindSMS, "+31687654321", "", at.Add(time.Second))
	w.voiceID = w.enrolPhone(factor.KindVoice, "+31201234567", "", at.Add(2*time.Second))
	w.recovery, err = w.rec.Generate(w.ctx, "alice", at)
	require.NoError(w.t, err)
	w.token, err = w.dev.Remember(w.ctx, "alice", "Firefox", 12*time.Hour, at)
	require.NoError(w.t, err)
	_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Label: "lapsed", StepUp: w.grantFor(at)}, at)
	require.NoError(w.t, err)
}

// enrolTOTP enrols and confirms an authenticator app with the given secret
// at the given time.
func (w *world) enrolTOTP(user string, secret []byte, at time.Time) string {
	e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, Secret: secret}, at)
	require.NoError(w.t, err)
	require.NoError(w.t, factortest.Err(w.m.Confirm(w.ctx, factor.Answer{UserID: user, EnrollmentID: e.ID, Code: codeFor(secret, at)}, at)))
	return e.ID
}

// enrolPhone enrols a phone of alice at the given time and confirms it.
func (w *world) enrolPhone(k factor.Kind, number, replaces string, at time.Time) string {
	id, challenge, code := w.pendingPhone(k, number, replaces, at)
	require.NoError(w.t, factortest.Err(w.m.Confirm(w.ctx, factor.Answer{UserID: "alice", ChallengeID: challenge, Code: code}, at)))
	return id
}

// pendingPhone enrols a phone of alice and sends it its first code.
func (w *world) pendingPhone(k factor.Kind, number, replaces string, at time.Time) (id, challenge, code string) {
	e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: k, Address: number, Replaces: replaces, StepUp: w.grantFor(at)}, at)
	require.NoError(w.t, err)
	challenge, code = w.send(e.ID, false, at)
	return e.ID, challenge, code
}

// send challenges the enrollment and returns the challenge and the code
// that was sent (or shown on screen, for a keypad call).
func (w *world) send(id string, keypad bool, at time.Time) (challenge, code string) {
	sent, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: id, Keypad: keypad}, at)
	require.NoError(w.t, err)
	msg, ok := w.sender.Last()
	require.True(w.t, ok)
	return sent.ChallengeID, msg.Code
}

// grantFor returns a step-up grant of alice valid at at: the last one if
// it was issued within the last four minutes, else a new one from a code
// of her authenticator app at at (or, if that step was used already, the
// next one, which the window accepts).
func (w *world) grantFor(at time.Time) string {
	if w.totpID == "" {
		return ""
	}
	if w.grant != "" && !at.Before(w.grantAt) && at.Sub(w.grantAt) < 4*time.Minute {
		return w.grant
	}
	for _, step := range []time.Time{at, at.Add(30 * time.Second)} {
		res, err := w.m.Verify(w.ctx, factor.Answer{UserID: "alice", EnrollmentID: w.totpID, Code: codeFor(aliceSecret, step)}, at)
		if err == nil {
			w.grant, w.grantAt = res.StepUp, at
			return w.grant
		}
	}
	w.t.Fatal("alice could not pass a second step at", at)
	return ""
}

// stepUp passes a second step a minute before now, as removing a method or
// disabling two-step verification wants.
func (w *world) stepUp() {
	at := w.now.Add(-time.Minute)
	require.NoError(w.t, factortest.Err(w.m.Verify(w.ctx, factor.Answer{UserID: "alice", EnrollmentID: w.totpID, Code: codeFor(aliceSecret, at)}, at)))
}

// fail records n failed attempts of alice.
func (w *world) fail(n int) {
	for range n {
		err := w.m.Extension().Guard(w.ctx, "alice", w.now, func() error { return factor.ErrInvalidCode })
		require.True(w.t, errors.Is(err, factor.ErrInvalidCode) || errors.Is(err, factor.ErrLocked), "%v", err)
	}
}

// wrongDigits returns a numeric code of the same length that is not code.
func wrongDigits(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// errNotTrusted is what a trust check that says no becomes in the
// hardening tables, where an operation either succeeds or fails.
var errNotTrusted = fmt.Errorf("%w: device not trusted", factor.ErrInvalidCode)

// tamper changes the last character of a device token so that it stays
// well-formed.
func tamper(token string) string {
	last := "A"
	if strings.HasSuffix(token, last) {
		last = "E"
	}
	return token[:len(token)-1] + last
}

// factors describes alice's confirmed methods and recovery codes, read
// from the store behind the faults: what a change of her factors changes.
func (w *world) factors() string {
	w.t.Helper()
	all, err := w.fs.Inner.ListEnrollments(w.ctx, "alice")
	require.NoError(w.t, err)
	var b strings.Builder
	for _, e := range all {
		if e.Confirmed {
			b.WriteString(e.ID + " ")
		}
	}
	n, err := w.fs.Inner.CountRecoveryCodes(w.ctx, "alice")
	require.NoError(w.t, err)
	fmt.Fprintf(&b, "recovery=%d", n)
	return b.String()
}

// audited reports whether an event that changes the user's factors was
// emitted after the first skip events.
func (w *world) audited(skip int) bool {
	w.events.mu.Lock()
	defer w.events.mu.Unlock()
	for _, e := range w.events.events[skip:] {
		if e.FactorChange() {
			return true
		}
	}
	return false
}

// eventCount returns how many events were emitted so far.
func (w *world) eventCount() int {
	w.events.mu.Lock()
	defer w.events.mu.Unlock()
	return len(w.events.events)
}

// switchSender sends through whichever Sender it holds at the time, so a
// test can set up with a working sender and then break it.
type switchSender struct {
	mu sync.Mutex
	to factor.Sender
}

func (s *switchSender) set(to factor.Sender) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.to = to
}

func (s *switchSender) Send(ctx context.Context, m factor.Message) error {
	s.mu.Lock()
	to := s.to
	s.mu.Unlock()
	return to.Send(ctx, m)
}

// kept is a Sender that keeps the messages it was given, delivered or not.
type kept interface {
	factor.Sender
	Messages() []factor.Message
}

// TestBrokenSenders sends through a gateway that fails and one that never
// answers: the caller gets a delivery error, nothing hangs, and the code
// that did not go out is of no use.
func TestBrokenSenders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sender  func() kept
		timeout time.Duration
		cause   error
	}{
		{"failing", func() kept { return &factortest.FailingSender{} }, time.Minute, factortest.ErrInjected},
		{"slow", func() kept { return &factortest.SlowSender{} }, 50 * time.Millisecond, context.DeadlineExceeded},
	} {
		for _, op := range brokenSenderOps() {
			t.Run(tc.name+"/"+op.name, func(t *testing.T) {
				w := newWorld(t, basePolicy, mem)
				challenge := op.prepare(w)
				broken := tc.sender()
				w.sw.set(broken)
				ctx, cancel := context.WithTimeout(w.ctx, tc.timeout)
				defer cancel()
				start := time.Now()
				sent, err := op.run(w, ctx, challenge)
				_ = w.leak.err(err)
				require.Less(t, time.Since(start), 5*time.Second, "hung")
				require.Nil(t, sent)
				require.ErrorIs(t, err, factor.ErrDelivery)
				require.ErrorIs(t, err, tc.cause)
				assert.Equal(t, factor.UserMessage(factor.ErrDelivery, "en"), factor.UserMessage(err, "en"))
				msgs := broken.Messages()
				require.Len(t, msgs, 1, "one attempt to send")
				w.leak.codeSecret("a code that did not go out", msgs[0].Code)
				assert.NotContains(t, err.Error(), msgs[0].Code)
				w.sw.set(w.sender)
				w.checkBurnt(msgs[0])
			})
		}
	}
}

// brokenSenderOp sends a code: the first one of a pending phone, a login
// code, a keypad call or a resend.
type brokenSenderOp struct {
	name    string
	prepare func(w *world) (challenge string)
	run     func(w *world, ctx context.Context, challenge string) (*factor.Sent, error)
}

func brokenSenderOps() []brokenSenderOp {
	challenge := func(id *string, keypad bool) func(*world, context.Context, string) (*factor.Sent, error) {
		return func(w *world, ctx context.Context, _ string) (*factor.Sent, error) {
			return w.m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: *id, Keypad: keypad}, w.now)
		}
	}
	var pending, login string
	return []brokenSenderOp{
		{"pending SMS", func(w *world) string {
			e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "+31611112222", StepUp: w.grantFor(w.now)}, w.now)
			require.NoError(w.t, err)
			pending = e.ID
			return ""
		}, challenge(&pending, false)},
		{"login SMS", func(w *world) string { login = w.smsID; return "" }, challenge(&login, false)},
		{"keypad", func(w *world) string { login = w.voiceID; return "" }, challenge(&login, true)},
		{"resend", func(w *world) string {
			c, _ := w.send(w.smsID, false, w.now.Add(-time.Minute))
			return c
		}, func(w *world, ctx context.Context, challenge string) (*factor.Sent, error) {
			return w.m.Resend(ctx, "alice", challenge, "en", w.now)
		}},
	}
}

// checkBurnt proves that the code in msg, which failed to go out, is of no
// use: not to log in, not to confirm, not on the keypad.
func (w *world) checkBurnt(msg factor.Message) {
	w.t.Helper()
	a := factor.Answer{UserID: "alice", ChallengeID: msg.ChallengeID, Code: msg.Code}
	assert.ErrorIs(w.t, w.leak.err(factortest.Err(w.m.Verify(w.ctx, a, w.now))), factor.ErrInvalidCode)
	assert.ErrorIs(w.t, w.leak.err(factortest.Err(w.m.Confirm(w.ctx, a, w.now))), factor.ErrInvalidCode)
	if msg.Keypad {
		err := w.leak.err(w.m.ApproveKeypad(w.ctx, msg.ChallengeID, msg.Code, w.now))
		assert.ErrorIs(w.t, err, factor.ErrInvalidCode)
	}
	state, err := w.m.ChallengeStatus(w.ctx, "alice", msg.ChallengeID, w.now)
	require.NoError(w.t, w.leak.err(err))
	assert.Equal(w.t, factor.ChallengeUsed, state)
}

// TestBrokenSenderAndStore fails the send and then the Store call that
// burns the challenge: burning is best effort, and the caller still learns
// that delivery failed.
func TestBrokenSenderAndStore(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	down := errors.New("gateway down")
	w.sw.set(&factortest.FailingSender{Err: down})
	w.fs.Arm(0, false)
	_, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: w.smsID}, w.now)
	require.ErrorIs(t, err, down)
	calls := w.fs.Calls()
	require.Equal(t, "UpdateChallenge", calls[len(calls)-1], "the burn is the last store call")

	w.fs.Arm(len(calls), false)
	w.now = w.now.Add(time.Minute) // past the resend cooldown, which the failed send started
	_, err = w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: w.smsID}, w.now)
	require.ErrorIs(t, err, factor.ErrDelivery)
	require.ErrorIs(t, err, down)
	method, injected := w.fs.Injected()
	assert.True(t, injected)
	assert.Equal(t, "UpdateChallenge", method)
}

// TestSendTimeout: a provider that never answers is given up after
// Codes.SendTimeout even when the caller's context has no deadline, and
// the code that did not go out is burnt.
func TestSendTimeout(t *testing.T) {
	slow := &factortest.SlowSender{}
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Keys:    []factor.ServerKey{keyOld},
		Sender:  slow,
		Factors: []factor.Factor{fakePhone{factor.KindSMS}},
		Codes:   factor.DeliveredCodes{SendTimeout: 50 * time.Millisecond},
	})
	require.NoError(t, err)
	ctx := context.Background()
	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "+31612345678"}, t0)
	require.NoError(t, err)
	start := time.Now()
	_, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: e.ID}, t0)
	require.Less(t, time.Since(start), 5*time.Second, "hung")
	require.ErrorIs(t, err, factor.ErrDelivery)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	msgs := slow.Messages()
	require.Len(t, msgs, 1)
	_, err = m.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: msgs[0].ChallengeID, Code: msgs[0].Code}, t0)
	assert.ErrorIs(t, err, factor.ErrInvalidCode, "the unsent code is burnt")

	_, err = factor.NewManager(factor.Config{Store: memstore.New(), Codes: factor.DeliveredCodes{SendTimeout: time.Hour}})
	var ce *factor.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "Codes.SendTimeout", ce.Field)
}
