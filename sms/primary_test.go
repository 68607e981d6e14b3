package sms_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

type events struct {
	mu   sync.Mutex
	list []factor.Event
}

func (l *events) Event(_ context.Context, e factor.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, e)
}

func (l *events) count(typ factor.EventType) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.list {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func primaries(t *testing.T, m *factor.Manager, now time.Time) map[string]bool {
	t.Helper()
	list, err := m.Enrollments(context.Background(), user, now)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, e := range list {
		out[e.Address] = e.Primary
	}
	return out
}

func TestPrimaryAndAlternates(t *testing.T) {
	ev := &events{}
	env := newEnv(t, factor.Config{Events: ev})
	ctx := context.Background()
	first := env.EnrollConfirmed(t, user, factor.KindSMS, "06-12345678")
	second := env.EnrollConfirmed(t, user, factor.KindSMS, "06-87654321")
	pending := env.Enroll(t, user, factor.KindSMS, "06-11223344")
	assert.Equal(t, map[string]bool{"+31612345678": true, "+31687654321": false, "+31611223344": false}, primaries(t, env.M, env.Now()))

	require.NoError(t, env.Store.CreateDevice(ctx, &factor.TrustedDevice{ID: "d1", UserID: user, CreatedAt: env.Now(), ExpiresAt: env.Now().Add(time.Hour)}))
	require.NoError(t, env.M.SetPrimary(ctx, user, second.ID, env.Now()))
	assert.Equal(t, map[string]bool{"+31612345678": false, "+31687654321": true, "+31611223344": false}, primaries(t, env.M, env.Now()))
	assert.Equal(t, 1, ev.count(factor.EventPrimaryChanged))
	devices, err := env.Store.ListDevices(ctx, user)
	require.NoError(t, err)
	assert.Len(t, devices, 1, "a new primary is no new factor: devices stay trusted")

	require.NoError(t, env.M.SetPrimary(ctx, user, second.ID, env.Now()))
	assert.Equal(t, 1, ev.count(factor.EventPrimaryChanged), "no change, no event")

	assert.ErrorIs(t, env.M.SetPrimary(ctx, user, pending.ID, env.Now()), factor.ErrNotAllowed)
	assert.ErrorIs(t, env.M.SetPrimary(ctx, user, "nope", env.Now()), factor.ErrNotFound)
	assert.ErrorIs(t, env.M.SetPrimary(ctx, "mallory", first.ID, env.Now()), factor.ErrNotFound)
	assert.Equal(t, map[string]bool{"+31612345678": false, "+31687654321": true, "+31611223344": false}, primaries(t, env.M, env.Now()))
}
