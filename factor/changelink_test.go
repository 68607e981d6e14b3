package factor_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

// linkWorld is a Manager with ChangeByEmail on, SMS and voice on offer, an
// email factor that only writes the link mails, and caren and bob, each
// with a confirmed SMS number. Its leak check fails the test if a link
// token, its secret half or a code shows in a log line, event or error.
type linkWorld struct {
	t      *testing.T
	ctx    context.Context
	m      *factor.Manager
	store  *memstore.Store
	sender *factortest.RecordingSender
	events *eventLog
	leak   *leakCheck
	now    time.Time
	phone  map[string]string // the user's confirmed SMS enrollment
}

const linkURL = "https://zorg.example/telefoon/bevestigen?stap=1"

func newLinkWorld(t *testing.T, cfg factor.Config) *linkWorld {
	t.Helper()
	logger, logs := factortest.NewLogger()
	w := &linkWorld{t: t, ctx: context.Background(), store: memstore.New(), sender: &factortest.RecordingSender{},
		events: &eventLog{}, now: t0, phone: map[string]string{}}
	w.leak = &leakCheck{t: t, logs: logs, events: w.events, secrets: map[string]string{}}
	mail, err := email.New(email.Config{AppName: "Zorgportaal"})
	require.NoError(t, err)
	cfg.Store, cfg.Sender, cfg.Events, cfg.Logger = w.store, w.sender, w.events, logger
	cfg.Factors = []factor.Factor{fakePhone{factor.KindSMS}, fakePhone{factor.KindVoice}, mail}
	// The account's addresses serve for the links only: email is no
	// method here, and no step-up grants are needed.
	cfg.Policy.ChangeByEmail.Accounts = accountBook{"caren": "caren@example.nl", "bob": "bob@example.nl", "nomail": ""}
	cfg.Policy.ChangeByEmail.URL = linkURL
	w.m, err = factor.NewManager(cfg)
	require.NoError(t, err)
	for _, user := range []string{"caren", "bob", "nomail"} {
		e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindSMS, Address: "+31612345678"}, w.now)
		require.NoError(t, err)
		challenge, code := w.challenge(user, e.ID, "")
		w.confirm(user, challenge, code)
		w.phone[user] = e.ID
	}
	t.Cleanup(w.checkLeaks)
	return w
}

// challenge asks for a code, with link if given, and returns the challenge
// with the code that was sent.
func (w *linkWorld) challenge(user, enrollmentID, link string) (string, string) {
	w.t.Helper()
	sent, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: enrollmentID, Link: link}, w.now)
	require.NoError(w.t, err)
	msg, ok := w.sender.Last()
	require.True(w.t, ok)
	require.Equal(w.t, sent.ChallengeID, msg.ChallengeID)
	return sent.ChallengeID, msg.Code
}

func (w *linkWorld) confirm(user string, challenge, code string) {
	w.t.Helper()
	_, err := w.m.Confirm(w.ctx, factor.Answer{UserID: user, ChallengeID: challenge, Code: code}, w.now)
	require.NoError(w.t, err)
}

// login passes a second step with the user's confirmed number and returns
// the step-up grant.
func (w *linkWorld) login(user string) string {
	w.t.Helper()
	w.now = w.now.Add(time.Minute)
	sent, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: w.phone[user]}, w.now)
	require.NoError(w.t, err)
	msg, _ := w.sender.Last()
	res, err := w.m.Verify(w.ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: msg.Code}, w.now)
	require.NoError(w.t, err)
	return res.StepUp
}

var tokenParam = regexp.MustCompile(`[?&]token=([^&\s"]+)`)

// change saves a new number for the user and returns the pending
// enrollment and the token from the mail.
func (w *linkWorld) change(user, number string) (*factor.Enrolled, string) {
	w.t.Helper()
	grant := w.login(user)
	e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindSMS, Address: number, Replaces: w.phone[user], StepUp: grant, Language: "nl"}, w.now)
	require.NoError(w.t, err)
	mail, ok := w.sender.Last()
	require.True(w.t, ok)
	require.Equal(w.t, factor.KindEmail, mail.Kind)
	require.Equal(w.t, "Nieuwe telefoonnummer bevestigen voor Zorgportaal", mail.Subject)
	require.True(w.t, strings.HasPrefix(mail.Text, "Hallo,"))
	m := tokenParam.FindStringSubmatch(mail.Text)
	require.NotNil(w.t, m, "the mail holds the link")
	token := m[1]
	_, secret, _ := strings.Cut(token, ".")
	w.leak.secret("a change link", token, secret)
	return e, token
}

// checkLeaks searches the log, the events and the recorded errors for the
// links and every code sent.
func (w *linkWorld) checkLeaks() {
	for _, msg := range w.sender.Messages() {
		if msg.Code != "" {
			w.leak.secret("a delivered code", msg.Code)
		}
	}
	for where, text := range w.leak.outputs() {
		for s, what := range w.leak.secrets {
			if strings.Contains(text, s) {
				w.t.Errorf("%s leaks in %s", what, where)
			}
		}
	}
}

func (w *linkWorld) failures() int {
	return countOf(w.events.types(), factor.EventFailed)
}

// TestChangeByEmail walks a change of number: the link goes to the
// account's address, no code goes to the new number before it is opened,
// the old number works until the new one is confirmed, and resends need
// the link no more.
func TestChangeByEmail(t *testing.T) {
	w := newLinkWorld(t, factor.Config{})
	e, token := w.change("caren", "+31687654321")
	assert.Equal(t, "c•••@example.nl", e.LinkSentTo)
	mail, _ := w.sender.Last()
	assert.Equal(t, "caren@example.nl", mail.To)
	assert.Empty(t, mail.Code, "the mail carries no code")
	assert.NotContains(t, mail.Text+mail.HTML, "687654321", "the mail shows the new number masked")
	assert.Contains(t, mail.Text, linkURL+"&token=", "the page's own query is kept")
	assert.Equal(t, w.now.Add(time.Hour+15*time.Minute), e.ExpiresAt, "the new number waits for the link and then for its code")

	sends := w.sender.Count()
	_, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: e.ID}, w.now)
	require.ErrorIs(t, w.leak.err(err), factor.ErrLinkRequired)
	_, err = w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: e.ID, Keypad: true}, w.now)
	require.ErrorIs(t, err, factor.ErrLinkRequired)
	assert.Equal(t, sends, w.sender.Count(), "nothing goes to the new number before the link is opened")
	assert.Zero(t, w.failures(), "asking too early counts nothing")
	assert.Contains(t, factor.UserMessage(err, "nl"), "e-mail")

	w.login("caren") // the old number keeps working

	challenge, _ := w.challenge("caren", "", token)
	sms, _ := w.sender.Last()
	assert.Equal(t, "+31687654321", sms.To)
	w.now = w.now.Add(time.Minute)
	resent, err := w.m.Resend(w.ctx, "caren", challenge, "nl", w.now)
	require.NoError(t, err, "a resend needs no link")
	require.NotNil(t, resent)
	sms, _ = w.sender.Last()
	resentCode := sms.Code
	_, err = w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: e.ID, Link: token}, w.now.Add(time.Minute))
	require.ErrorIs(t, w.leak.err(err), factor.ErrLinkInvalid, "the link works once")
	w.confirm("caren", challenge, resentCode)

	list, err := w.m.Enrollments(w.ctx, "caren", w.now)
	require.NoError(t, err)
	require.Len(t, list, 1, "the old number is gone")
	assert.Equal(t, "+31687654321", list[0].Address)
	assert.True(t, list[0].Confirmed)
	assert.True(t, list[0].Primary)
}

// TestChangeLinkRefusals: a link of another user, of another pending
// change, tampered, expired or malformed opens nothing and changes nothing;
// a well-formed wrong link counts as a failed attempt, a malformed one
// counts nothing.
func TestChangeLinkRefusals(t *testing.T) {
	tests := []struct {
		name    string
		user    string
		link    func(token, other, bobs string) string
		pending func(e, other *factor.Enrolled) string
		after   time.Duration
		want    error
		counted bool
	}{
		{"another user's link", "bob", func(tok, _, _ string) string { return tok }, nil, 0, factor.ErrLinkInvalid, true},
		{"the link of another change", "caren", func(tok, _, _ string) string { return tok }, func(_, o *factor.Enrolled) string { return o.ID }, 0, factor.ErrLinkInvalid, true},
		{"another change's secret", "caren", func(tok, other, _ string) string {
			return strings.Split(tok, ".")[0] + "." + strings.Split(other, ".")[1]
		}, nil, 0, factor.ErrLinkInvalid, true},
		{"a tampered secret", "caren", func(tok, _, _ string) string { return tok[:len(tok)-1] + flip(tok[len(tok)-1]) }, nil, 0, factor.ErrLinkInvalid, true},
		{"a tampered enrollment", "caren", func(tok, _, _ string) string { return flip(tok[0]) + tok[1:] }, nil, 0, factor.ErrLinkInvalid, true},
		{"bob's link for caren", "caren", func(_, _, bobs string) string { return bobs }, nil, 0, factor.ErrLinkInvalid, true},
		{"an expired link", "caren", func(tok, _, _ string) string { return tok }, nil, time.Hour, factor.ErrLinkInvalid, true},
		{"no secret", "caren", func(tok, _, _ string) string { return strings.Split(tok, ".")[0] + "." }, nil, 0, factor.ErrMalformed, false},
		{"no dot", "caren", func(tok, _, _ string) string { return strings.ReplaceAll(tok, ".", "") }, nil, 0, factor.ErrMalformed, false},
		{"two dots", "caren", func(tok, _, _ string) string { return tok + ".x" }, nil, 0, factor.ErrMalformed, false},
		{"a control character", "caren", func(tok, _, _ string) string { return "\x00" + tok }, nil, 0, factor.ErrMalformed, false},
		{"overlong", "caren", func(tok, _, _ string) string { return tok + strings.Repeat("a", 200) }, nil, 0, factor.ErrMalformed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newLinkWorld(t, factor.Config{})
			e, token := w.change("caren", "+31687654321")
			other, otherToken := w.change("caren", "+31611112222")
			_, bobs := w.change("bob", "+31699998888")
			sends, failures := w.sender.Count(), w.failures()
			req := factor.ChallengeRequest{UserID: tt.user, Link: tt.link(token, otherToken, bobs)}
			if tt.pending != nil {
				req.EnrollmentID = tt.pending(e, other)
			}
			_, err := w.m.Challenge(w.ctx, req, w.now.Add(tt.after))
			require.ErrorIs(t, w.leak.err(err), tt.want)
			assert.Equal(t, sends, w.sender.Count(), "nothing is sent")
			if tt.counted {
				assert.Equal(t, failures+1, w.failures(), "a wrong link is a failed attempt")
			} else {
				assert.Equal(t, failures, w.failures(), "malformed input counts nothing")
			}
			if tt.after == 0 {
				w.challenge("caren", "", token) // caren's link still works
			}
			w.challenge("bob", "", bobs)
			w.challenge("caren", "", otherToken)
		})
	}
}

// flip changes one character of a lower-case base32 token.
func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

// TestChangeLinkOnceUnderConcurrency: of 50 concurrent uses of one link,
// one sends the code.
func TestChangeLinkOnceUnderConcurrency(t *testing.T) {
	w := newLinkWorld(t, factor.Config{Lockout: factor.Lockout{Limit: 100}})
	_, token := w.change("caren", "+31687654321")
	sends := w.sender.Count()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, invalid := 0, 0
	for range 50 {
		wg.Go(func() {
			_, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "caren", Link: token}, w.now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, factor.ErrLinkInvalid):
				invalid++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, won)
	assert.Equal(t, 49, invalid)
	assert.Equal(t, sends+1, w.sender.Count(), "one code went to the new number")
}

// TestChangeLinkNotSent: a change whose link mail failed leaves nothing
// behind, and a user without an account address cannot change a number.
func TestChangeLinkNotSent(t *testing.T) {
	w := newLinkWorld(t, factor.Config{})
	grant := w.login("caren")
	w.sender.SetErr(errors.New("smtp down"))
	_, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindSMS, Address: "+31687654321", Replaces: w.phone["caren"], StepUp: grant}, w.now)
	require.ErrorIs(t, w.leak.err(err), factor.ErrDelivery)
	w.sender.SetErr(nil)
	list, err := w.m.Enrollments(w.ctx, "caren", w.now)
	require.NoError(t, err)
	assert.Len(t, list, 1, "the new number is not kept")

	grant = w.login("nomail")
	_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "nomail", Kind: factor.KindSMS, Address: "+31687654321", Replaces: w.phone["nomail"], StepUp: grant}, w.now)
	require.ErrorIs(t, err, factor.ErrNoAccountEmail)
	list, err = w.m.Enrollments(w.ctx, "nomail", w.now)
	require.NoError(t, err)
	assert.Len(t, list, 1)
	w.login("nomail")
}

// TestChangeLinkBudgets: the link mail is charged to the send budgets like
// any message, and a refused mail leaves nothing behind.
func TestChangeLinkBudgets(t *testing.T) {
	w := newLinkWorld(t, factor.Config{Budget: factor.Budget{PerUserDay: 3}})
	grant := w.login("caren") // the second code today; the third is the mail
	e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindSMS, Address: "+31687654321", Replaces: w.phone["caren"], StepUp: grant}, w.now)
	require.NoError(t, err)
	_, err = w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindSMS, Address: "+31611112222", Replaces: w.phone["caren"], StepUp: grant}, w.now)
	var rl *factor.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, "user", rl.Scope)
	list, err := w.m.Enrollments(w.ctx, "caren", w.now)
	require.NoError(t, err)
	assert.Len(t, list, 2, "the refused change is not kept")
	assert.Equal(t, e.ID, list[1].ID)
}

// TestChangeLinkPruneAndForget: the link goes with the expired change, and
// with the user.
func TestChangeLinkPruneAndForget(t *testing.T) {
	w := newLinkWorld(t, factor.Config{})
	e, _ := w.change("caren", "+31687654321")
	linkID := e.ID + ".link"
	_, err := w.store.GetChallenge(w.ctx, linkID)
	require.NoError(t, err)
	_, err = w.m.Prune(w.ctx, w.now.Add(time.Hour))
	require.NoError(t, err)
	_, err = w.store.GetChallenge(w.ctx, linkID)
	require.NoError(t, err, "the link is kept while its change waits for a code")
	_, err = w.m.Prune(w.ctx, e.ExpiresAt)
	require.NoError(t, err)
	_, err = w.store.GetChallenge(w.ctx, linkID)
	require.ErrorIs(t, err, factor.ErrNotFound)

	e, _ = w.change("bob", "+31687654321")
	require.NoError(t, w.m.Forget(w.ctx, "bob", "admin", w.now))
	_, err = w.store.GetChallenge(w.ctx, e.ID+".link")
	require.ErrorIs(t, err, factor.ErrNotFound)
}

// TestChangeLinkCannotBeAnsweredAsACode: the link's record answers no
// code and cannot be resent as one.
func TestChangeLinkCannotBeAnsweredAsACode(t *testing.T) {
	w := newLinkWorld(t, factor.Config{})
	e, token := w.change("caren", "+31687654321")
	linkID := e.ID + ".link"
	w.now = w.now.Add(time.Minute)
	_, err := w.m.Resend(w.ctx, "caren", linkID, "nl", w.now)
	require.ErrorIs(t, err, factor.ErrLinkRequired)
	_, secret, _ := strings.Cut(token, ".")
	_, err = w.m.Confirm(w.ctx, factor.Answer{UserID: "caren", ChallengeID: linkID, Code: secret}, w.now)
	require.ErrorIs(t, w.leak.err(err), factor.ErrMalformed)
	_, err = w.m.Confirm(w.ctx, factor.Answer{UserID: "caren", ChallengeID: linkID, Code: "123456"}, w.now)
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	w.challenge("caren", e.ID, token)
	_, err = w.m.Resend(w.ctx, "caren", linkID, "nl", w.now.Add(time.Minute))
	require.ErrorIs(t, err, factor.ErrInvalidCode, "a used link is no challenge")
}

func TestChangeByEmailConfig(t *testing.T) {
	mail, err := email.New(email.Config{})
	require.NoError(t, err)
	book := accountBook{}
	tests := []struct {
		name  string
		cfg   factor.Config
		field string
	}{
		{"plain http", factor.Config{Factors: []factor.Factor{mail}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{Accounts: book, URL: "http://zorg.example/x"}}}, "URL"},
		{"relative", factor.Config{Factors: []factor.Factor{mail}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{Accounts: book, URL: "/x"}}}, "URL"},
		{"fragment", factor.Config{Factors: []factor.Factor{mail}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{Accounts: book, URL: "https://zorg.example/x#y"}}}, "URL"},
		{"account emails", factor.Config{AccountEmails: book, Factors: []factor.Factor{mail}, Policy: factor.Policy{StepUpGrants: true, ChangeByEmail: factor.ChangeByEmail{URL: "https://zorg.example/x"}}}, ""},
		{"no account emails", factor.Config{Factors: []factor.Factor{mail}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{URL: "https://zorg.example/x"}}}, "URL"},
		{"no email factor", factor.Config{Factors: []factor.Factor{fakePhone{factor.KindSMS}}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{Accounts: book, URL: "https://zorg.example/x"}}}, "URL"},
		{"long TTL", factor.Config{Factors: []factor.Factor{mail}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{Accounts: book, URL: "https://zorg.example/x", TTL: 25 * time.Hour}}}, "TTL"},
		{"localhost", factor.Config{Factors: []factor.Factor{mail}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{Accounts: book, URL: "http://localhost:8080/x"}}}, ""},
		{"loopback", factor.Config{Factors: []factor.Factor{mail}, Policy: factor.Policy{ChangeByEmail: factor.ChangeByEmail{Accounts: book, URL: "http://127.0.0.1:8080/x"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Store, tt.cfg.Sender = memstore.New(), &factortest.RecordingSender{}
			_, err := factor.NewManager(tt.cfg)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "Policy.ChangeByEmail."+tt.field, ce.Field)
		})
	}
}
