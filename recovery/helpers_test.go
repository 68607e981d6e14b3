package recovery_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
)

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

func testKey(id string) factor.ServerKey {
	return factor.ServerKey{ID: id, Secret: []byte("0123456789abcdef0123456789abcdef" + id)}
}

// env is a Manager on a memstore, with its store counted, its events
// recorded and its log captured.
type env struct {
	m      *factor.Manager
	mem    *memstore.Store
	store  *spyStore
	log    *factortest.LogBuffer
	events *eventLog
}

func newEnv(t *testing.T, cfg factor.Config) *env {
	t.Helper()
	e := &env{mem: memstore.New(), events: &eventLog{}}
	if cfg.Store != nil {
		e.mem = cfg.Store.(*memstore.Store)
	}
	e.store = &spyStore{Store: e.mem}
	var logger *slog.Logger
	logger, e.log = factortest.NewLogger()
	cfg.Store, cfg.Logger, cfg.Events = e.store, logger, e.events
	if len(cfg.Keys) == 0 {
		cfg.Keys = []factor.ServerKey{testKey("k1")}
	}
	var err error
	e.m, err = factor.NewManager(cfg)
	require.NoError(t, err)
	return e
}

func newCodes(t *testing.T, e *env, cfg recovery.Config) *recovery.Codes {
	t.Helper()
	c, err := recovery.New(e.m, cfg)
	require.NoError(t, err)
	return c
}

// spyStore counts the calls that show whether an attempt got as far as the
// failure accounting and the hash lookup.
type spyStore struct {
	factor.Store
	reserves atomic.Int64
	consumes atomic.Int64
}

func (s *spyStore) ReserveAttempt(ctx context.Context, userID string, now time.Time) (factor.LockState, error) {
	s.reserves.Add(1)
	return s.Store.ReserveAttempt(ctx, userID, now)
}

func (s *spyStore) ConsumeRecoveryCode(ctx context.Context, userID string, hash []byte) (int, error) {
	s.consumes.Add(1)
	return s.Store.ConsumeRecoveryCode(ctx, userID, hash)
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

func (l *eventLog) types() []factor.EventType {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]factor.EventType, len(l.events))
	for i, e := range l.events {
		out[i] = e.Type
	}
	return out
}

func (l *eventLog) count(typ factor.EventType) int {
	n := 0
	for _, t := range l.types() {
		if t == typ {
			n++
		}
	}
	return n
}

func (l *eventLog) has(typ factor.EventType) bool { return slices.Contains(l.types(), typ) }
