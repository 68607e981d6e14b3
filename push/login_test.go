package push_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

func TestLoginApproveWithTheRightNumber(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	p := ev.enrol("alice")
	sent := ev.login(p)
	require.Len(t, sent.ScreenDigits, 2)
	assert.Equal(t, push.StatePending, ev.status(p, sent.ChallengeID).State)

	require.Len(t, ev.notes.sent, 1)
	n := ev.notes.sent[0]
	assert.Equal(t, "tok-alice", n.Token)
	assert.Equal(t, "android", n.Platform)
	assert.Equal(t, sent.ChallengeID, n.ChallengeID)
	assert.Equal(t, "Sign in to Example?", n.Title)
	assert.NotContains(t, n.Body, sent.ScreenDigits)

	r := ev.request(p)
	assert.Equal(t, sent.ChallengeID, r.Challenge)
	assert.Len(t, r.Numbers, 3)
	assert.Contains(t, r.Numbers, sent.ScreenDigits)
	assert.Equal(t, "Firefox on Linux", r.Context.Browser)
	assert.Equal(t, ev.clock.Now().Add(2*time.Minute).Unix(), r.ExpiresAt)

	res, err := p.c.Approve(ctx, p.d, r, sent.ScreenDigits, ev.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "approved", res.Result)
	assert.Equal(t, push.StateApproved, ev.status(p, sent.ChallengeID).State)

	got, err := ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, push.Kind, got.Kind)
	_, err = ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	assert.Equal(t, push.StateUsed, ev.status(p, sent.ChallengeID).State)

	// The number typed on the page proves nothing.
	sent2 := ev.loginAfterCooldown(p)
	_, err = ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent2.ChallengeID, Code: sent2.ScreenDigits}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrInvalidCode)
}

func (ev *env) loginAfterCooldown(p *phone) *factor.Sent {
	ev.t.Helper()
	ev.clock.Advance(31 * time.Second)
	return ev.login(p)
}

func TestLoginWrongNumberDeniesAndCountsOneFailure(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	p := ev.enrol("alice")
	sent := ev.login(p)
	r := ev.request(p)
	res, err := p.c.Approve(ctx, p.d, r, wrong(r, sent.ScreenDigits), ev.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "denied", res.Result)
	assert.Equal(t, "wrong_number", res.Reason)
	assert.Equal(t, 1, ev.events.count(factor.EventFailed))
	assert.Equal(t, push.Approval{State: push.StateDenied, Reason: "wrong_number"}, ev.status(p, sent.ChallengeID))

	// The right number afterwards changes nothing.
	_, err = p.c.Approve(ctx, p.d, r, sent.ScreenDigits, ev.clock.Now())
	requireRefused(t, err)
	_, err = ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrInvalidCode)
	// No resend of a denied request.
	ev.clock.Advance(time.Minute)
	_, err = ev.m.Resend(ctx, "alice", sent.ChallengeID, "en", ev.clock.Now())
	require.Error(t, err)
	assert.Len(t, ev.notes.sent, 1)
}

func TestLoginNotMe(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	p := ev.enrol("alice")
	sent := ev.login(p)
	r := ev.request(p)
	res, err := p.c.Deny(ctx, p.d, r, push.ReasonNotMe, ev.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "denied", res.Result)
	assert.Equal(t, 1, ev.events.count(push.EventNotMe))
	assert.Equal(t, 1, ev.alerts.count(push.EventNotMe), "the user is told")
	assert.Zero(t, ev.events.count(factor.EventFailed))
	assert.Equal(t, push.Approval{State: push.StateDenied, Reason: "not_me"}, ev.status(p, sent.ChallengeID))
	_, err = ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrInvalidCode)

	// Pushes pause for an hour.
	ev.clock.Advance(10 * time.Minute)
	_, err = ev.f.Challenge(ctx, push.LoginRequest{UserID: "alice", EnrollmentID: p.enroll}, ev.clock.Now())
	var be *push.BlockedError
	require.ErrorAs(t, err, &be)
	require.ErrorIs(t, err, factor.ErrNotAllowed)
	assert.Equal(t, 50*time.Minute, be.RetryAfter)
	ev.clock.Advance(51 * time.Minute)
	ev.login(p)
}

func TestLoginCancelled(t *testing.T) {
	ev := newEnv(t, nil)
	p := ev.enrol("alice")
	sent := ev.login(p)
	res, err := p.c.Deny(context.Background(), p.d, ev.request(p), push.ReasonCancelled, ev.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "cancelled", res.Reason)
	assert.Zero(t, ev.events.count(push.EventNotMe))
	assert.Equal(t, push.Approval{State: push.StateDenied, Reason: "cancelled"}, ev.status(p, sent.ChallengeID))
	ev.loginAfterCooldown(p) // no pause after a cancel
}

func requireRefused(t *testing.T, err error) {
	t.Helper()
	var pe *pushclient.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 403, pe.Status)
	assert.Equal(t, "refused", pe.Code)
}

func TestLoginAnswersThatChangeNothing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		answer func(ev *env, p, bob *phone, r pushclient.Request, number string) error
	}{
		{"late", func(ev *env, p, _ *phone, r pushclient.Request, number string) error {
			ev.clock.Advance(2*time.Minute + time.Second)
			_, err := p.c.Approve(ctx, p.d, r, number, ev.clock.Now())
			return err
		}},
		{"stale timestamp", func(ev *env, p, _ *phone, r pushclient.Request, number string) error {
			_, err := p.c.Approve(ctx, p.d, r, number, ev.clock.Now().Add(-61*time.Second))
			return err
		}},
		{"timestamp ahead", func(ev *env, p, _ *phone, r pushclient.Request, number string) error {
			_, err := p.c.Approve(ctx, p.d, r, number, ev.clock.Now().Add(61*time.Second))
			return err
		}},
		{"bad signature", func(ev *env, p, _ *phone, r pushclient.Request, number string) error {
			c := &pushclient.Client{Key: newKey(ev.t)}
			_, err := c.Approve(ctx, p.d, r, number, ev.clock.Now())
			return err
		}},
		{"another user's device", func(ev *env, _, bob *phone, r pushclient.Request, number string) error {
			_, err := bob.c.Approve(ctx, bob.d, r, number, ev.clock.Now())
			return err
		}},
		{"another user's challenge named with her device", func(ev *env, p, bob *phone, r pushclient.Request, number string) error {
			d := *p.d
			d.User, d.Enrollment = bob.user, bob.enroll
			_, err := p.c.Approve(ctx, &d, r, number, ev.clock.Now())
			return err
		}},
		{"wrong nonce", func(ev *env, p, _ *phone, r pushclient.Request, number string) error {
			r.Nonce = "AAAA" + r.Nonce[4:]
			if r.Nonce == ev.request(p).Nonce {
				r.Nonce = "BBBB" + r.Nonce[4:]
			}
			_, err := p.c.Approve(ctx, p.d, r, number, ev.clock.Now())
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := newEnv(t, nil)
			p, bob := ev.enrol("alice"), ev.enrol("bob")
			sent := ev.login(p)
			r := ev.request(p)
			err := tc.answer(ev, p, bob, r, sent.ScreenDigits)
			requireRefused(t, err)
			assert.Zero(t, ev.events.count(factor.EventFailed), "nothing counted")
			s, err := ev.m.ChallengeStatus(ctx, "alice", sent.ChallengeID, ev.clock.Now())
			require.NoError(t, err)
			assert.NotEqual(t, factor.ChallengeApproved, s, "nothing approved")
		})
	}
}

func TestLoginReplayedAnswer(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	p := ev.enrol("alice")
	sent := ev.login(p)
	r := ev.request(p)
	_, err := p.c.Approve(ctx, p.d, r, sent.ScreenDigits, ev.clock.Now())
	require.NoError(t, err)
	_, err = ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.NoError(t, err)
	for range 3 {
		_, err = p.c.Approve(ctx, p.d, r, sent.ScreenDigits, ev.clock.Now())
		requireRefused(t, err)
	}
	assert.Zero(t, ev.events.count(factor.EventFailed))
	assert.Equal(t, push.StateUsed, ev.status(p, sent.ChallengeID).State)
}

func TestLoginConcurrentApprovals(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	p := ev.enrol("alice")
	sent := ev.login(p)
	r := ev.request(p)
	var wg sync.WaitGroup
	var mu sync.Mutex
	approved, refused := 0, 0
	start := make(chan struct{})
	for range 100 {
		wg.Go(func() {
			<-start
			res, err := p.c.Approve(ctx, p.d, r, sent.ScreenDigits, ev.clock.Now())
			mu.Lock()
			defer mu.Unlock()
			var pe *pushclient.Error
			switch {
			case err == nil && res.Result == "approved":
				approved++
			case errors.As(err, &pe) && pe.Code == "refused":
				refused++
			default:
				t.Errorf("unexpected answer %v %v", res, err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, 1, approved)
	assert.Equal(t, 99, refused)
	assert.Zero(t, ev.events.count(factor.EventFailed))
	_, err := ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.NoError(t, err)
}

func TestFatigue(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	p := ev.enrol("alice")
	phone2 := ev.enrolAnother(p)
	first := ev.login(p)

	// A second push within the cooldown, to either phone, is refused.
	for _, to := range []*phone{p, phone2} {
		_, err := ev.f.Challenge(ctx, push.LoginRequest{UserID: "alice", EnrollmentID: to.enroll}, ev.clock.Now().Add(29*time.Second))
		var rl *factor.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, "push", rl.Scope)
	}
	assert.Len(t, ev.notes.sent, 2)

	// After it a new one replaces the pending one: one open request per user.
	ev.clock.Advance(31 * time.Second)
	second := ev.login(phone2)
	reqs, err := p.c.Poll(ctx, p.d, ev.clock.Now())
	require.NoError(t, err)
	assert.Empty(t, reqs)
	assert.Equal(t, push.StateExpired, ev.status(p, first.ChallengeID).State)
	assert.Equal(t, second.ChallengeID, ev.request(phone2).Challenge)
}

// enrolAnother sets up a second phone for a user who has one: adding a
// method follows the Manager's rules, so it comes after a second step.
func (ev *env) enrolAnother(first *phone) *phone {
	ev.t.Helper()
	sent := ev.login(first)
	_, err := first.c.Approve(context.Background(), first.d, ev.request(first), sent.ScreenDigits, ev.clock.Now())
	require.NoError(ev.t, err)
	_, err = ev.m.Verify(context.Background(), factor.Answer{UserID: first.user, ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.NoError(ev.t, err)
	ev.clock.Advance(31 * time.Second)
	return ev.enrol(first.user)
}

func TestUnregisteredTokenFallsBackToPolling(t *testing.T) {
	ev := newEnv(t, nil)
	p := ev.enrol("alice")
	ev.notes.err = &delivery.Error{Provider: "fcm", Status: 404, Code: "UNREGISTERED", Err: delivery.ErrUnregistered}
	sent := ev.login(p)
	r := ev.request(p)
	assert.Equal(t, sent.ChallengeID, r.Challenge)
	ev.notes.err = nil
	ev.loginAfterCooldown(p)
	assert.Len(t, ev.notes.sent, 1, "the forgotten token gets no more pushes")
	assert.Len(t, ev.request(p).Numbers, 3)
}

func TestNoSecretInLogs(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	s, err := ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice"}, ev.clock.Now())
	require.NoError(t, err)
	inv, err := pushclient.ParseURI(s.URI)
	require.NoError(t, err)
	c := &pushclient.Client{Key: newKey(t)}
	d, err := c.Register(ctx, inv, pushclient.AppInfo{PushToken: "secret-push-token", Platform: "ios", DeviceName: "iPhone"}, ev.clock.Now())
	require.NoError(t, err)
	p := &phone{c: c, d: d, user: "alice", enroll: inv.Enrollment}
	ev.notes.err = errors.New("fcm down")
	sent := ev.login(p)
	r := ev.request(p)
	_, err = c.Approve(ctx, d, r, wrong(r, sent.ScreenDigits), ev.clock.Now())
	require.NoError(t, err)
	pub, err := c.PublicKey()
	require.NoError(t, err)
	require.NotEmpty(t, ev.logs.Lines())
	for _, secret := range []string{inv.Secret, "secret-push-token", r.Nonce, pub} {
		assert.False(t, ev.logs.Contains(secret), "a log line holds a secret")
	}
}
