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
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

func TestEnrolConfirmsOnlyAfterProofOfPossession(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	s, err := ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice@example.com"}, ev.clock.Now())
	require.NoError(t, err)
	assert.NotContains(t, string(s.Enrolled.State), "secret_hash", "the setup hands out no stored state")
	inv, err := pushclient.ParseURI(s.URI)
	require.NoError(t, err)
	assert.Equal(t, ev.url, inv.URL)
	assert.Equal(t, "Example", inv.Issuer)
	png, err := s.PNG(0)
	require.NoError(t, err)
	assert.Equal(t, "\x89PNG", string(png[:4]))

	list, err := ev.m.Enrollments(ctx, "alice", ev.clock.Now())
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.False(t, list[0].Confirmed)

	// A registration signed by another key than the one it sends.
	other := &pushclient.Client{Key: newKey(t)}
	forged := &pushclient.Client{Key: newKey(t), Rand: nil}
	forged.Key.PublicKey = other.Key.PublicKey // sends other's public key, signs with its own private key
	_, err = forged.Register(ctx, inv, pushclient.AppInfo{Platform: "ios", DeviceName: "iPhone"}, ev.clock.Now())
	var pe *pushclient.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 403, pe.Status)
	assert.Equal(t, "refused", pe.Code)

	// The wrong secret.
	bad := *inv
	bad.Secret = "a" + inv.Secret[1:]
	if bad.Secret == inv.Secret {
		bad.Secret = "b" + inv.Secret[1:]
	}
	_, err = (&pushclient.Client{Key: newKey(t)}).Register(ctx, &bad, pushclient.AppInfo{Platform: "ios", DeviceName: "iPhone"}, ev.clock.Now())
	require.ErrorAs(t, err, &pe)

	list, err = ev.m.Enrollments(ctx, "alice", ev.clock.Now())
	require.NoError(t, err)
	assert.False(t, list[0].Confirmed, "nothing confirmed without proof of possession")
	assert.Zero(t, ev.events.count(factor.EventFailed), "refused registrations count nothing")

	_, err = (&pushclient.Client{Key: newKey(t)}).Register(ctx, inv, pushclient.AppInfo{Platform: "ios", DeviceName: "iPhone"}, ev.clock.Now())
	require.NoError(t, err)
	list, err = ev.m.Enrollments(ctx, "alice", ev.clock.Now())
	require.NoError(t, err)
	assert.True(t, list[0].Confirmed)
	assert.Equal(t, "iPhone", list[0].Label)
	assert.Equal(t, 1, ev.events.count(factor.EventConfirmed))

	// The secret is used up.
	_, err = (&pushclient.Client{Key: newKey(t)}).Register(ctx, inv, pushclient.AppInfo{Platform: "ios", DeviceName: "Again"}, ev.clock.Now())
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "refused", pe.Code)
	// Nor can the Manager's Verify be answered with it.
	_, err = ev.m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: inv.Enrollment, Code: inv.Secret}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrInvalidCode)
}

func TestEnrolSecretExpires(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	s, err := ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice"}, ev.clock.Now())
	require.NoError(t, err)
	inv, err := pushclient.ParseURI(s.URI)
	require.NoError(t, err)
	ev.clock.Advance(15*time.Minute + time.Second)
	_, err = (&pushclient.Client{Key: newKey(t)}).Register(ctx, inv, pushclient.AppInfo{Platform: "other", DeviceName: "cli"}, ev.clock.Now())
	var pe *pushclient.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "refused", pe.Code)
}

func TestEnrolSecretSingleUseUnderConcurrency(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	s, err := ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice"}, ev.clock.Now())
	require.NoError(t, err)
	inv, err := pushclient.ParseURI(s.URI)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, refused := 0, 0
	start := make(chan struct{})
	for range 50 {
		c := &pushclient.Client{Key: newKey(t)}
		wg.Go(func() {
			<-start
			_, err := c.Register(ctx, inv, pushclient.AppInfo{Platform: "android", DeviceName: "racer"}, ev.clock.Now())
			mu.Lock()
			defer mu.Unlock()
			var pe *pushclient.Error
			switch {
			case err == nil:
				wins++
			case errors.As(err, &pe) && pe.Code == "refused":
				refused++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, 1, wins)
	assert.Equal(t, 49, refused)
	assert.Equal(t, 1, ev.events.count(factor.EventConfirmed))
	assert.Zero(t, ev.events.count(factor.EventFailed))
}

func TestEnrolNeedsTheFactorsEnroll(t *testing.T) {
	ev := newEnv(t, nil)
	_, err := ev.m.Enroll(context.Background(), factor.EnrollRequest{UserID: "alice", Kind: "push"}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrMalformed)
}

// A second phone is a new method: it needs the step-up grant of a second
// step in the same session, like any method added to a confirmed one.
func TestEnrolAnotherPhoneNeedsStepUp(t *testing.T) {
	ev := newEnvWith(t, nil, func(c *factor.Config) { c.Policy.StepUpGrants = true })
	ctx := context.Background()
	p := ev.enrol("alice")
	_, err := ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice"}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrStepUpRequired)

	ev.clock.Advance(time.Minute)
	sent := ev.login(p)
	_, err = p.c.Approve(ctx, p.d, ev.request(p), sent.ScreenDigits, ev.clock.Now())
	require.NoError(t, err)
	res, err := ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, ev.clock.Now())
	require.NoError(t, err)
	require.NotEmpty(t, res.StepUp)
	_, err = ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice", StepUp: "tampered" + res.StepUp}, ev.clock.Now())
	require.ErrorIs(t, err, factor.ErrStepUpRequired)
	s, err := ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice", Label: "Second phone", StepUp: res.StepUp}, ev.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "Second phone", s.Enrolled.Label)
}
