package factor_test

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

// spy is a Verifier whose right code is its secret; it counts every
// comparison, so tests can prove that locked attempts compare nothing.
type spy struct{ compares atomic.Int64 }

const kindSpy factor.Kind = "spy"

func (s *spy) Kind() factor.Kind { return kindSpy }

func (s *spy) Verify(_ context.Context, e *factor.Enrollment, code string, _ time.Time) error {
	s.compares.Add(1)
	if subtle.ConstantTimeCompare(e.Secret, []byte(code)) != 1 {
		return factor.ErrInvalidCode
	}
	e.Counter++
	return nil
}

var t0 = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	m      *factor.Manager
	store  *memstore.Store
	spy    *spy
	events *eventLog
	// confirmed is each user's last confirmed spy enrollment and its code,
	// for the second step that adding another one needs.
	confirmed map[string][2]string
}

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
	var out []factor.EventType
	for _, e := range l.events {
		out = append(out, e.Type)
	}
	return out
}

func newFixture(t *testing.T, cfg factor.Config) *fixture {
	t.Helper()
	f := &fixture{store: memstore.New(), spy: &spy{}, events: &eventLog{}}
	cfg.Store, cfg.Events = f.store, f.events
	cfg.Factors = append(cfg.Factors, f.spy)
	m, err := factor.NewManager(cfg)
	require.NoError(t, err)
	f.m = m
	return f
}

// enrol creates and confirms a spy enrollment whose right code is secret,
// passing a second step first when the user has an enrollment already.
func (f *fixture) enrol(t *testing.T, user, secret string) *factor.Enrollment {
	t.Helper()
	e, err := f.m.Enroll(context.Background(), factor.EnrollRequest{UserID: user, Kind: kindSpy, Secret: []byte(secret), StepUp: f.stepUp(t, user)}, t0)
	require.NoError(t, err)
	require.NoError(t, factortest.Err(f.m.Confirm(context.Background(), factor.Answer{UserID: user, EnrollmentID: e.ID, Code: secret}, t0)))
	if f.confirmed == nil {
		f.confirmed = map[string][2]string{}
	}
	f.confirmed[user] = [2]string{e.ID, secret}
	return &e.Enrollment
}

// stepUp passes a second step of user with the last spy enrollment enrol
// confirmed and returns its grant; none when the user has none yet.
func (f *fixture) stepUp(t *testing.T, user string) string {
	t.Helper()
	c, ok := f.confirmed[user]
	if !ok {
		return ""
	}
	res, err := f.m.Verify(context.Background(), factor.Answer{UserID: user, EnrollmentID: c[0], Code: c[1]}, t0)
	require.NoError(t, err)
	return res.StepUp
}

func TestEnrollConfirmVerify(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	e, err := f.m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: kindSpy, Label: "app", Secret: []byte("right")}, t0)
	require.NoError(t, err)
	assert.Equal(t, []byte("right"), e.Secret, "the caller sees the secret once")

	stored, err := f.store.GetEnrollment(ctx, "alice", e.ID)
	require.NoError(t, err)
	assert.NotContains(t, string(stored.Secret), "right", "stores hold secrets sealed")

	a := factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: "right"}
	assert.ErrorIs(t, factortest.Err(f.m.Verify(ctx, a, t0)), factor.ErrInvalidCode, "a pending enrollment does not log in")
	require.NoError(t, factortest.Err(f.m.Confirm(ctx, a, t0.Add(time.Minute))))
	assert.ErrorIs(t, factortest.Err(f.m.Confirm(ctx, a, t0.Add(2*time.Minute))), factor.ErrInvalidCode, "confirmed once")
	require.NoError(t, factortest.Err(f.m.Verify(ctx, a, t0.Add(3*time.Minute))))

	list, err := f.m.Enrollments(ctx, "alice", t0)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.True(t, list[0].Confirmed)
	assert.Nil(t, list[0].Secret, "listings carry no secrets")
	assert.Equal(t, []factor.EventType{factor.EventEnrolled, factor.EventFailed, factor.EventConfirmed, factor.EventEnabled, factor.EventFailed, factor.EventVerified}, f.events.types())
}

func TestPendingEnrollmentLapses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	e, err := f.m.Enroll(ctx, factor.EnrollRequest{UserID: "u", Kind: kindSpy, Secret: []byte("c")}, t0)
	require.NoError(t, err)
	late := t0.Add(15 * time.Minute)
	assert.ErrorIs(t, factortest.Err(f.m.Confirm(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "c"}, late)), factor.ErrInvalidCode)
	list, err := f.m.Enrollments(ctx, "u", late)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestUniformFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	alice := f.enrol(t, "alice", "a-code")
	bob := f.enrol(t, "bob", "b-code")
	cases := map[string]factor.Answer{
		"wrong code":          {UserID: "alice", EnrollmentID: alice.ID, Code: "nope"},
		"unknown method":      {UserID: "alice", EnrollmentID: "missing", Code: "a-code"},
		"another user's":      {UserID: "alice", EnrollmentID: bob.ID, Code: "b-code"},
		"unknown user":        {UserID: "carol", EnrollmentID: alice.ID, Code: "a-code"},
		"unknown challenge":   {UserID: "alice", ChallengeID: "nope", Code: "123456"},
		"another's challenge": {UserID: "bob", ChallengeID: "x", Code: "123456"},
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := f.m.Verify(ctx, a, t0)
			require.ErrorIs(t, err, factor.ErrInvalidCode)
			assert.Equal(t, factor.ErrInvalidCode.Error(), err.Error())
		})
	}
}

func TestMalformedInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	e := f.enrol(t, "alice", "right")
	long := string(make([]byte, 65))
	for name, a := range map[string]factor.Answer{
		"no user":       {EnrollmentID: e.ID, Code: "right"},
		"overlong code": {UserID: "alice", EnrollmentID: e.ID, Code: long},
		"bad sms code":  {UserID: "alice", ChallengeID: "c", Code: "12a456"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, factortest.Err(f.m.Verify(ctx, a, t0)), factor.ErrMalformed)
		})
	}
	at, err := f.store.ReserveAttempt(ctx, "alice", t0)
	require.NoError(t, err)
	assert.Equal(t, 1, at.Failures, "malformed attempts were not counted")
}

func TestLockoutComparesAtMostLimit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	e := f.enrol(t, "alice", "right")
	before := f.spy.compares.Load()

	var wg sync.WaitGroup
	var locked, invalid atomic.Int64
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: "wrong"}, t0)
			switch {
			case errors.Is(err, factor.ErrLocked):
				locked.Add(1)
			case errors.Is(err, factor.ErrInvalidCode):
				invalid.Add(1)
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, f.spy.compares.Load()-before, int64(10), "compared more codes than the limit")
	assert.Equal(t, int64(100), locked.Load()+invalid.Load())

	right := factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: "right"}
	compares := f.spy.compares.Load()
	_, err := f.m.Verify(ctx, right, t0.Add(14*time.Minute))
	var le *factor.LockedError
	require.ErrorAs(t, err, &le, "the right code is refused while locked")
	assert.Equal(t, t0.Add(15*time.Minute), le.Until)
	assert.Equal(t, compares, f.spy.compares.Load(), "a locked attempt compares nothing")
	require.NoError(t, factortest.Err(f.m.Verify(ctx, right, t0.Add(15*time.Minute))), "the lock ends")
	assert.Contains(t, f.events.types(), factor.EventLocked)
}

func TestLockDoublesUpToMax(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{Lockout: factor.Lockout{Limit: 3, Duration: time.Hour, MaxDuration: 3 * time.Hour}})
	e := f.enrol(t, "u", "right")
	now := t0
	for _, want := range []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 3 * time.Hour} {
		var err error
		for range 3 {
			_, err = f.m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "x"}, now)
		}
		var le *factor.LockedError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, want, le.Until.Sub(now))
		now = le.Until
	}
	require.NoError(t, factortest.Err(f.m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "right"}, now)))
	for range 3 {
		_, _ = f.m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "x"}, now)
	}
	at, err := f.store.ReserveAttempt(ctx, "u", now)
	require.NoError(t, err)
	assert.Equal(t, now.Add(time.Hour), at.LockedUntil, "a success resets the doubling")
}

func TestSuccessResetsFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	e := f.enrol(t, "u", "right")
	for range 9 {
		_, _ = f.m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "x"}, t0)
	}
	require.NoError(t, factortest.Err(f.m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "right"}, t0)))
	for range 9 {
		assert.ErrorIs(t, factortest.Err(f.m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "x"}, t0)), factor.ErrInvalidCode)
	}
}

func TestTamperedSecretNeverVerifies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	a := f.enrol(t, "alice", "same")
	b := f.enrol(t, "alice", "same")
	sa, err := f.store.GetEnrollment(ctx, "alice", a.ID)
	require.NoError(t, err)
	sb, err := f.store.GetEnrollment(ctx, "alice", b.ID)
	require.NoError(t, err)
	sb.Secret = sa.Secret
	require.NoError(t, f.store.UpdateEnrollment(ctx, sb))
	_, err = f.m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: b.ID, Code: "same"}, t0)
	assert.ErrorIs(t, err, factor.ErrSealed, "A's sealed secret does not open as B's")
}

func TestRemoveRevokesDevices(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	e := f.enrol(t, "u", "c")
	require.NoError(t, f.store.CreateDevice(ctx, &factor.TrustedDevice{ID: "d1", UserID: "u", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	assert.ErrorIs(t, f.m.Remove(ctx, factor.RemoveRequest{UserID: "u", EnrollmentID: e.ID}, t0), factor.ErrStepUpRequired, "its confirmation is no second step")
	require.NoError(t, factortest.Err(f.m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "c"}, t0)))
	require.NoError(t, f.m.Remove(ctx, factor.RemoveRequest{UserID: "u", EnrollmentID: e.ID}, t0))
	devices, err := f.store.ListDevices(ctx, "u")
	require.NoError(t, err)
	assert.Empty(t, devices)
	assert.Contains(t, f.events.types(), factor.EventDevicesRevoked)
	assert.ErrorIs(t, f.m.Remove(ctx, factor.RemoveRequest{UserID: "u", EnrollmentID: e.ID}, t0), factor.ErrNotFound)
}

func TestNewManagerValidates(t *testing.T) {
	store := memstore.New()
	for name, cfg := range map[string]factor.Config{
		"no store":         {},
		"limit over 100":   {Store: store, Lockout: factor.Lockout{Limit: 101}},
		"negative lock":    {Store: store, Lockout: factor.Lockout{Duration: -time.Second}},
		"max below base":   {Store: store, Lockout: factor.Lockout{Duration: time.Hour, MaxDuration: time.Minute}},
		"digits 3":         {Store: store, Codes: factor.DeliveredCodes{Digits: 3}},
		"sms ttl 11m":      {Store: store, Codes: factor.DeliveredCodes{TTL: 11 * time.Minute}},
		"tries 11":         {Store: store, Codes: factor.DeliveredCodes{Tries: 11}},
		"pending 2 days":   {Store: store, PendingTTL: 48 * time.Hour},
		"duplicate kind":   {Store: store, Factors: []factor.Factor{&spy{}, &spy{}}},
		"nil factor":       {Store: store, Factors: []factor.Factor{nil}},
		"short key":        {Store: store, Keys: []factor.ServerKey{{ID: "k", Secret: []byte("x")}}},
		"keypad 7 digits":  {Store: store, Codes: factor.DeliveredCodes{KeypadDigits: 7}},
		"email ttl 2 hour": {Store: store, Codes: factor.DeliveredCodes{EmailTTL: 2 * time.Hour}},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := factor.NewManager(cfg)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, factor.ErrInvalidConfig)
		})
	}
}

func TestNewManagerDoesNotMutateConfig(t *testing.T) {
	cfg := factor.Config{Store: memstore.New(), Factors: []factor.Factor{&spy{}}}
	before := cfg
	_, err := factor.NewManager(cfg)
	require.NoError(t, err)
	assert.Equal(t, before, cfg)
}

func TestRandomDigitsUnbiased(t *testing.T) {
	counts := make(map[byte]int)
	m, err := factor.NewManager(factor.Config{Store: memstore.New()})
	require.NoError(t, err)
	for range 20000 {
		s, err := factor.RandomDigits(m.Extension().Rand(), 6)
		require.NoError(t, err)
		require.Len(t, s, 6)
		for i := range s {
			counts[s[i]]++
		}
	}
	require.Len(t, counts, 10)
	// 120,000 digits: expect 12,000 each; chi-square with 9 degrees of
	// freedom stays under 27.88 with probability 0.999.
	chi := 0.0
	for _, n := range counts {
		d := float64(n) - 12000
		chi += d * d / 12000
	}
	assert.Less(t, chi, 27.88)
}

// TestConfirmRevokesDevices: adding a method changes the user's factors,
// so the devices remembered before it are signed out, and only the first
// confirmed method turns two-step verification on (EventEnabled).
func TestConfirmRevokesDevices(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{})
	f.enrol(t, "u", "first")
	require.NoError(t, f.store.CreateDevice(ctx, &factor.TrustedDevice{ID: "d1", UserID: "u", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	e, err := f.m.Enroll(ctx, factor.EnrollRequest{UserID: "u", Kind: kindSpy, Secret: []byte("second"), StepUp: f.stepUp(t, "u")}, t0)
	require.NoError(t, err)
	devices, err := f.store.ListDevices(ctx, "u")
	require.NoError(t, err)
	assert.Len(t, devices, 1, "a pending method changes nothing yet")

	require.NoError(t, factortest.Err(f.m.Confirm(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "second"}, t0)))
	devices, err = f.store.ListDevices(ctx, "u")
	require.NoError(t, err)
	assert.Empty(t, devices, "confirming the second method signs out remembered devices")
	types := f.events.types()
	assert.Equal(t, 1, slices.Index(types, factor.EventEnabled)-slices.Index(types, factor.EventConfirmed), "enabled right after the first confirmation")
	assert.Equal(t, 1, countOf(types, factor.EventEnabled), "and only then")
	assert.Equal(t, factor.EventDevicesRevoked, types[len(types)-1])
}

func countOf(types []factor.EventType, typ factor.EventType) int {
	n := 0
	for _, x := range types {
		if x == typ {
			n++
		}
	}
	return n
}

// TestActivateConcurrently: 50 goroutines present one activation code at
// once through the Manager: exactly one succeeds, and every other attempt
// is refused as used or, past the failure limit, as locked.
func TestActivateConcurrently(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, factor.Config{Policy: factor.Policy{RequireActivation: true}})
	code, err := f.m.IssueActivationCode(ctx, "alice", "desk", t0)
	require.NoError(t, err)
	var ok, used, locked atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			err := f.m.Activate(ctx, "alice", code, t0)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, factor.ErrActivationUsed):
				used.Add(1)
			case errors.Is(err, factor.ErrLocked):
				locked.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(1), ok.Load(), "one winner")
	assert.Equal(t, int64(49), used.Load()+locked.Load())
	assert.Equal(t, 1, countOf(f.events.types(), factor.EventActivationUsed))
}

// barrierStore holds the first two ListEnrollments calls after arm until
// both have read, or 200 ms have passed, so that two removals both check
// before either deletes if nothing keeps them apart.
type barrierStore struct {
	*memstore.Store
	mu      sync.Mutex
	waiting int
	ready   chan struct{}
}

func (b *barrierStore) arm() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.waiting, b.ready = 2, make(chan struct{})
}

func (b *barrierStore) ListEnrollments(ctx context.Context, userID string) ([]*factor.Enrollment, error) {
	list, err := b.Store.ListEnrollments(ctx, userID)
	b.mu.Lock()
	ready := b.ready
	if b.waiting > 0 {
		b.waiting--
		if b.waiting == 0 {
			close(ready)
		}
	} else {
		ready = nil
	}
	b.mu.Unlock()
	if ready != nil {
		select {
		case <-ready:
		case <-time.After(200 * time.Millisecond):
		}
	}
	return list, err
}

// TestConcurrentRemovalsKeepOneMethod: while two-step verification is
// required, two concurrent removals of a user's only two methods never
// leave the user without a method, even when both would read the user's
// methods before either deletes: one goes through, the other is told to
// wait, and a removal a moment later is the last method's.
func TestConcurrentRemovalsKeepOneMethod(t *testing.T) {
	ctx := context.Background()
	store := &barrierStore{Store: memstore.New()}
	m, err := factor.NewManager(factor.Config{Store: store, Factors: []factor.Factor{&spy{}}, Policy: factor.Policy{Required: true}})
	require.NoError(t, err)
	var ids []string
	for _, code := range []string{"a", "b"} {
		e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "u", Kind: kindSpy, Secret: []byte(code)}, t0)
		require.NoError(t, err)
		a := factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: code}
		require.NoError(t, factortest.Err(m.Confirm(ctx, a, t0)))
		require.NoError(t, factortest.Err(m.Verify(ctx, a, t0)), "a second step with each")
		ids = append(ids, e.ID)
	}
	store.arm()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { errs[i] = m.Remove(ctx, factor.RemoveRequest{UserID: "u", EnrollmentID: id}, t0) })
	}
	wg.Wait()
	list, err := store.ListEnrollments(ctx, "u")
	require.NoError(t, err)
	require.Len(t, list, 1, "u has a method left")
	var rl *factor.RateLimitError
	if errs[0] == nil {
		require.ErrorAs(t, errs[1], &rl)
	} else {
		require.NoError(t, errs[1])
		require.ErrorAs(t, errs[0], &rl)
	}
	assert.Equal(t, "remove", rl.Scope)
	assert.Equal(t, "A method is being removed already. Please try again in 10 seconds.", factor.UserMessage(rl, "en"))
	assert.ErrorIs(t, m.Remove(ctx, factor.RemoveRequest{UserID: "u", EnrollmentID: list[0].ID}, t0.Add(time.Minute)), factor.ErrLastEnrollment, "the lease is over")
}
