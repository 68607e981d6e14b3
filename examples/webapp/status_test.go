package main

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

// statusCounter is the app's store with a count of Status calls: of the
// Manager's operations only Status counts the recovery codes left (and
// recovery's Redeem, which no request below makes). Embedding the store
// keeps its optional capabilities.
type statusCounter struct {
	*sqlstore.Store
	n atomic.Int64
}

// CountRecoveryCodes counts the call and forwards it.
func (s *statusCounter) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	s.n.Add(1)
	return s.Store.CountRecoveryCodes(ctx, userID)
}

// countStatus rebuilds ta's twostep parts on a counting store over the
// same database.
func countStatus(t *testing.T, ta *testApp) *statusCounter {
	t.Helper()
	store, err := sqlstore.New(ta.db, sqlstore.SQLite)
	require.NoError(t, err)
	sc := &statusCounter{Store: store}
	require.NoError(t, ta.twostep(sc))
	return sc
}

// Each page reads the user's Status at most once: the guards, the
// handler and the template share it; sending a code reads none (Sent
// says where it went).
func TestStatusOncePerRequest(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	sc := countStatus(t, ta)
	ctx := context.Background()

	u := ta.addUser(t, "once@example.com", false)
	totpID, secret := ta.addTOTP(t, u.ID)
	smsID := ta.addSMS(t, u.ID, "+31612345678", ta.stepUpGrant(t, u.ID, totpID, secret))
	newcomer := ta.addUser(t, "new@example.com", false)
	_, err := ta.codes.Generate(ctx, u.ID, ta.Now())
	require.NoError(t, err)

	half := ta.client(t)
	fresh := ta.client(t)
	// count runs one request and returns the Status calls it made.
	count := func(do func()) int64 {
		before := sc.n.Load()
		do()
		return sc.n.Load() - before
	}
	assert.EqualValues(t, 1, count(func() { require.Equal(t, "/login/2fa", half.login(u.Email)) }), "POST /login")
	require.Equal(t, "/setup/offer", fresh.login(newcomer.Email))

	for _, p := range []struct {
		name string
		c    *client
		path string
	}{
		{"second step", half, "/login/2fa"},
		{"second step, SMS chosen", half, "/login/2fa?m=" + smsID},
		{"setup offer", fresh, "/setup/offer"},
		{"setup", fresh, "/setup"},
		{"setup, authenticator app", fresh, "/setup/totp"},
	} {
		n := count(func() {
			code, loc, _ := p.c.get(p.path)
			require.Equal(t, http.StatusOK, code, "GET %s: %s", p.path, loc)
		})
		assert.EqualValues(t, 1, n, "Status calls for GET %s (%s)", p.path, p.name)
	}

	form := url.Values{"csrf": {half.csrf("/login/2fa")}, "m": {smsID}}
	assert.Zero(t, count(func() { half.post("/login/2fa/send", form) }), "Status calls for sending a code")
	ta.clock.Add(30 * time.Second)
	form = url.Values{"csrf": {half.csrf("/login/2fa")}, "m": {totpID}, "code": {totpCode(secret, ta.Now())}}
	assert.Zero(t, count(func() {
		_, loc, _ := half.post("/login/2fa", form)
		require.Equal(t, "/", loc)
	}), "Status calls for a right code")

	for _, path := range []string{"/", "/settings"} {
		n := count(func() {
			code, loc, _ := half.get(path)
			require.Equal(t, http.StatusOK, code, "GET %s: %s", path, loc)
		})
		assert.EqualValues(t, 1, n, "Status calls for GET %s", path)
	}

	form = url.Values{"csrf": {fresh.csrf("/setup/phone?kind=sms")}, "kind": {"sms"}, "country": {"31"}, "number": {"0687654321"}}
	assert.EqualValues(t, 1, count(func() {
		_, loc, _ := fresh.post("/setup/phone", form)
		require.Equal(t, "/setup/confirm", loc)
	}), "Status calls for enrolling a number and sending its first code")
}

// addSMS enrols and confirms an SMS number for the user through the
// Manager, with the code from the outbox, and returns its enrollment ID.
// A user who has a method already needs a step-up grant (stepUpGrant).
func (ta *testApp) addSMS(t *testing.T, userID, number, grant string) string {
	t.Helper()
	ctx := context.Background()
	e, err := ta.m.Enroll(ctx, factor.EnrollRequest{UserID: userID, Kind: factor.KindSMS, Address: number, StepUp: grant}, ta.Now())
	require.NoError(t, err)
	sent, err := ta.m.Challenge(ctx, factor.ChallengeRequest{UserID: userID, EnrollmentID: e.ID, Language: "en"}, ta.Now())
	require.NoError(t, err)
	msgs := ta.outbox.Messages()
	require.NotEmpty(t, msgs)
	require.Equal(t, sent.ChallengeID, msgs[0].ChallengeID)
	_, err = ta.m.Confirm(ctx, factor.Answer{UserID: userID, ChallengeID: sent.ChallengeID, Code: msgs[0].Code}, ta.Now())
	require.NoError(t, err)
	return e.ID
}

// stepUpGrant passes a second step for the user through the Manager, with
// a fresh code of the authenticator app enrollmentID, and returns the
// step-up grant it gives.
func (ta *testApp) stepUpGrant(t testing.TB, userID, enrollmentID string, secret []byte) string {
	t.Helper()
	ta.clock.Add(30 * time.Second)
	res, err := ta.m.Verify(context.Background(), factor.Answer{UserID: userID, EnrollmentID: enrollmentID, Code: totpCode(secret, ta.Now())}, ta.Now())
	require.NoError(t, err)
	require.NotEmpty(t, res.StepUp)
	return res.StepUp
}
