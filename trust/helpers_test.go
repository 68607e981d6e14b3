package trust_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/trust"
)

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// env is Devices on a Manager on a memstore, with a settable clock,
// recorded events and a captured log.
type env struct {
	m      *factor.Manager
	mem    *memstore.Store
	store  *faultyStore
	d      *trust.Devices
	clock  *factortest.Clock
	log    *factortest.LogBuffer
	events *eventLog
}

func newEnv(t *testing.T, cfg trust.Config) *env {
	t.Helper()
	e := &env{mem: memstore.New(), clock: factortest.NewClock(t0), events: &eventLog{}}
	e.store = &faultyStore{Store: e.mem}
	logger, buf := factortest.NewLogger()
	e.log = buf
	m, err := factor.NewManager(factor.Config{
		Store:  e.store,
		Keys:   []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Logger: logger,
		Events: e.events,
	})
	require.NoError(t, err)
	e.m = m
	e.d, err = trust.New(m, cfg)
	require.NoError(t, err)
	return e
}

// remember trusts a device of user for a day from the clock's time.
func (e *env) remember(t *testing.T, user string) string {
	t.Helper()
	tok, err := e.d.Remember(t.Context(), user, "Firefox on Linux", 24*time.Hour, e.clock.Now())
	require.NoError(t, err)
	return tok
}

func (e *env) check(t *testing.T, user, token string) bool {
	t.Helper()
	ok, err := e.d.Check(t.Context(), user, token, e.clock.Now())
	require.NoError(t, err)
	return ok
}

// faultyStore fails device reads while broken is set.
type faultyStore struct {
	factor.Store
	mu     sync.Mutex
	broken bool
}

var errBroken = errors.New("store is down")

func (s *faultyStore) setBroken(b bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken = b
}

func (s *faultyStore) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return errBroken
	}
	return nil
}

func (s *faultyStore) GetDevice(ctx context.Context, id string) (*factor.TrustedDevice, error) {
	if err := s.err(); err != nil {
		return nil, err
	}
	return s.Store.GetDevice(ctx, id)
}

func (s *faultyStore) TouchDevice(ctx context.Context, id string, at time.Time) error {
	if err := s.err(); err != nil {
		return err
	}
	return s.Store.TouchDevice(ctx, id, at)
}

func (s *faultyStore) ListDevices(ctx context.Context, userID string) ([]*factor.TrustedDevice, error) {
	if err := s.err(); err != nil {
		return nil, err
	}
	return s.Store.ListDevices(ctx, userID)
}

// eventLog records audit events.
type eventLog struct {
	mu     sync.Mutex
	events []factor.Event
}

func (l *eventLog) Event(_ context.Context, e factor.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []factor.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *eventLog) types() []factor.EventType {
	var out []factor.EventType
	for _, e := range l.all() {
		out = append(out, e.Type)
	}
	return out
}
