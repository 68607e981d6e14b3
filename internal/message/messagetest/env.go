package messagetest

import (
	"cmp"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

// Env is a Manager on a memstore with a recording sender, a settable clock
// and a captured log. When the test ends it checks that no code, no
// destination and no registered secret ever reached the log.
type Env struct {
	// M is the Manager under test.
	M *factor.Manager
	// Store is M's store.
	Store *memstore.Store
	// Sender records every message M sends.
	Sender *factortest.RecordingSender
	// Clock is the test's time; pass Now to M.
	Clock *factortest.Clock
	// Log holds M's log output, one JSON object per line.
	Log *factortest.LogBuffer

	mu        sync.Mutex
	secrets   []string
	resend    time.Duration
	confirmed map[string]confirmed // each user's last enrollment confirmed through Env
}

// confirmed is an enrollment the Env confirmed: its ID and, for an
// authenticator app, its secret.
type confirmed struct {
	id     string
	secret []byte
}

func (e *Env) remember(user string, c confirmed) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.confirmed == nil {
		e.confirmed = map[string]confirmed{}
	}
	e.confirmed[user] = c
}

// NewEnv returns an Env, its clock at 2026-07-01 09:00 UTC, whose Manager
// has cfg's factors and settings; Store and Sender are filled in, and a
// fixed key is used. Unless cfg.Logger is set (benchmarks set a discarding
// one), the log is captured and checked when the test ends.
func NewEnv(tb testing.TB, cfg factor.Config) *Env {
	tb.Helper()
	e := &Env{Store: memstore.New(), Sender: &factortest.RecordingSender{}, Clock: factortest.NewClock(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)), Log: &factortest.LogBuffer{}}
	cfg.Store, cfg.Sender = e.Store, e.Sender
	check := cfg.Logger == nil
	if check {
		cfg.Logger = slog.New(slog.NewJSONHandler(e.Log, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime}))
	}
	if len(cfg.Keys) == 0 {
		cfg.Keys = []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}}
	}
	m, err := factor.NewManager(cfg)
	require.NoError(tb, err)
	e.M = m
	e.resend = cmp.Or(cfg.Codes.ResendAfter, 30*time.Second)
	if check {
		tb.Cleanup(func() { e.checkLog(tb) })
	}
	return e
}

// dropTime leaves the wall-clock time out of log lines, so that its digits
// cannot be mistaken for a leaked code.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// Secret registers strings, such as a phone number as the user typed it,
// that must never appear in the log.
func (e *Env) Secret(s ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets = append(e.secrets, s...)
}

// Now returns the clock's time.
func (e *Env) Now() time.Time { return e.Clock.Now() }

// Enroll enrolls an address of the given kind for user. When EnrollConfirmed
// confirmed an enrollment of user before, the user first passes a second
// step with it (a code sent and typed), as adding a method asks.
func (e *Env) Enroll(tb testing.TB, user string, kind factor.Kind, addr string) *factor.Enrollment {
	tb.Helper()
	e.Secret(addr)
	en, err := e.M.Enroll(context.Background(), factor.EnrollRequest{UserID: user, Kind: kind, Address: addr, StepUp: e.StepUp(tb, user)}, e.Now())
	require.NoError(tb, err)
	return &en.Enrollment
}

// StepUp passes a second step of user with the last enrollment that
// EnrollConfirmed or EnrollTOTP confirmed, and returns its step-up grant;
// empty when there is none. An authenticator app's code is that of the
// next time step, for which the clock moves on by 30 seconds.
func (e *Env) StepUp(tb testing.TB, user string) string {
	tb.Helper()
	e.mu.Lock()
	c, ok := e.confirmed[user]
	e.mu.Unlock()
	if !ok {
		return ""
	}
	a := factor.Answer{UserID: user, EnrollmentID: c.id}
	if c.secret != nil {
		e.Clock.Advance(30 * time.Second)
		a.Code = TOTPCode(c.secret, e.Now())
		e.Secret(a.Code)
	} else {
		sent, code := e.Challenge(tb, user, c.id, false)
		a = factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}
	}
	res, err := e.M.Verify(context.Background(), a, e.Now())
	require.NoError(tb, err)
	return res.StepUp
}

// Challenge sends a code to the enrollment and returns what was sent and
// the code. It first moves the clock on by Codes.ResendAfter, as a person
// takes a while between one code and the next, so that the Manager's
// resend cooldown does not refuse a test's next challenge.
func (e *Env) Challenge(tb testing.TB, user, enrollmentID string, keypad bool) (*factor.Sent, string) {
	tb.Helper()
	e.Clock.Advance(e.resend)
	sent, err := e.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: user, EnrollmentID: enrollmentID, Keypad: keypad}, e.Now())
	require.NoError(tb, err)
	return sent, e.LastCode(tb)
}

// EnrollConfirmed enrolls an address and confirms it with the code sent to
// it.
func (e *Env) EnrollConfirmed(tb testing.TB, user string, kind factor.Kind, addr string) *factor.Enrollment {
	tb.Helper()
	en := e.Enroll(tb, user, kind, addr)
	sent, code := e.Challenge(tb, user, en.ID, false)
	require.NoError(tb, factortest.Err(e.M.Confirm(context.Background(), factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code}, e.Now())))
	e.remember(user, confirmed{id: en.ID})
	return en
}

// LastCode returns the code of the last message sent.
func (e *Env) LastCode(tb testing.TB) string {
	tb.Helper()
	m, ok := e.Sender.Last()
	require.True(tb, ok, "no message sent")
	return m.Code
}

// checkLog looks for every code (but keypad digits, too short to search
// for), every destination and every registered secret in the log.
func (e *Env) checkLog(tb testing.TB) {
	e.CheckNoSecrets(tb, "the log", e.Log.String())
}

// CheckNoSecrets fails the test when text, which went out in the open
// (a log, a notice email), holds a code the Manager sent (but keypad
// digits, too short to search for), a destination it sent to, or a secret
// registered with Secret. Codes and numbers count only as words of their
// own, so that a code inside a random ID is no false alarm.
func (e *Env) CheckNoSecrets(tb testing.TB, where, text string) {
	tb.Helper()
	e.mu.Lock()
	secrets := append([]string(nil), e.secrets...)
	e.mu.Unlock()
	for _, m := range e.Sender.Messages() {
		secrets = append(secrets, m.To, strings.TrimPrefix(m.To, "+"))
		if !m.Keypad {
			secrets = append(secrets, m.Code)
		}
	}
	words := make(map[string]bool)
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !isAlnum(r) }) {
		words[w] = true
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.IndexFunc(s, func(r rune) bool { return !isAlnum(r) }) < 0 {
			assert.False(tb, words[s], "%s contains %q", where, s)
			continue
		}
		assert.NotContains(tb, text, s, "%s contains %q", where, s)
	}
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
