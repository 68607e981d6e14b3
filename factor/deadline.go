package factor

import (
	"context"
	"time"
)

// storeContext returns ctx bounded by Config.StoreTimeout when it has no
// deadline of its own, so that a database that stops answering cannot hold
// a caller forever. A deadline the caller set, longer or shorter, is kept.
func (m *Manager) storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, m.cfg.StoreTimeout)
}

// boundStore is the Manager's view of Config.Store: every call gets
// Config.StoreTimeout as its deadline when the caller's context has none.
// NewManager wraps the store with bound, which keeps the optional
// capabilities the Manager's login path asks for by type assertion.
type boundStore struct {
	s Store
	m *Manager
}

// InMemoryStore is an optional capability of a Store that keeps its
// records in the process's memory, behind a mutex at most, and so never
// waits on I/O: the Manager gives its calls no deadline of their own
// (Config.StoreTimeout), which would only cost a timer per call.
// factor/memstore implements it.
type InMemoryStore interface {
	// InMemory reports whether the store never waits on I/O.
	InMemory() bool
}

// bound wraps s for m. The result implements VerifiedStore and
// ReservingStore exactly when s does. A store in memory is used as it is.
func bound(s Store, m *Manager) Store {
	if im, ok := s.(InMemoryStore); ok && im.InMemory() {
		return s
	}
	b := &boundStore{s: s, m: m}
	vs, verified := s.(VerifiedStore)
	rs, reserving := s.(ReservingStore)
	switch {
	case verified && reserving:
		return struct {
			*boundStore
			boundVerified
			boundReserving
		}{b, boundVerified{vs, m}, boundReserving{rs, m}}
	case verified:
		return struct {
			*boundStore
			boundVerified
		}{b, boundVerified{vs, m}}
	case reserving:
		return struct {
			*boundStore
			boundReserving
		}{b, boundReserving{rs, m}}
	}
	return b
}

type boundVerified struct {
	s VerifiedStore
	m *Manager
}

func (b boundVerified) UpdateEnrollmentVerified(ctx context.Context, e *Enrollment) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.UpdateEnrollmentVerified(ctx, e)
}

type boundReserving struct {
	s ReservingStore
	m *Manager
}

func (b boundReserving) ReserveAttemptGetEnrollment(ctx context.Context, userID, id string, now time.Time) (LockState, *Enrollment, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ReserveAttemptGetEnrollment(ctx, userID, id, now)
}

func (b *boundStore) CreateEnrollment(ctx context.Context, e *Enrollment) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.CreateEnrollment(ctx, e)
}

func (b *boundStore) GetEnrollment(ctx context.Context, userID, id string) (*Enrollment, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.GetEnrollment(ctx, userID, id)
}

func (b *boundStore) ListEnrollments(ctx context.Context, userID string) ([]*Enrollment, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ListEnrollments(ctx, userID)
}

func (b *boundStore) UpdateEnrollment(ctx context.Context, e *Enrollment) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.UpdateEnrollment(ctx, e)
}

func (b *boundStore) DeleteEnrollment(ctx context.Context, userID, id string) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.DeleteEnrollment(ctx, userID, id)
}

func (b *boundStore) DeleteEnrollments(ctx context.Context, userID string) (int, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.DeleteEnrollments(ctx, userID)
}

func (b *boundStore) ReserveAttempt(ctx context.Context, userID string, now time.Time) (LockState, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ReserveAttempt(ctx, userID, now)
}

func (b *boundStore) LockUser(ctx context.Context, userID string, now, until time.Time) (LockState, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.LockUser(ctx, userID, now, until)
}

func (b *boundStore) ResetAttempts(ctx context.Context, userID string) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ResetAttempts(ctx, userID)
}

func (b *boundStore) CreateChallenge(ctx context.Context, c *Challenge) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.CreateChallenge(ctx, c)
}

func (b *boundStore) GetChallenge(ctx context.Context, id string) (*Challenge, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.GetChallenge(ctx, id)
}

func (b *boundStore) UpdateChallenge(ctx context.Context, c *Challenge) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.UpdateChallenge(ctx, c)
}

func (b *boundStore) DeleteChallenges(ctx context.Context, userID string) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.DeleteChallenges(ctx, userID)
}

func (b *boundStore) IncrementCounter(ctx context.Context, key string, now, expires time.Time) (int64, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.IncrementCounter(ctx, key, now, expires)
}

func (b *boundStore) ChargeCounters(ctx context.Context, windows []CounterWindow, now time.Time) ([]int, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ChargeCounters(ctx, windows, now)
}

func (b *boundStore) RefundCounters(ctx context.Context, windows []CounterWindow, now time.Time) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.RefundCounters(ctx, windows, now)
}

func (b *boundStore) CreateDevice(ctx context.Context, d *TrustedDevice) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.CreateDevice(ctx, d)
}

func (b *boundStore) GetDevice(ctx context.Context, id string) (*TrustedDevice, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.GetDevice(ctx, id)
}

func (b *boundStore) TouchDevice(ctx context.Context, id string, lastUsed time.Time) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.TouchDevice(ctx, id, lastUsed)
}

func (b *boundStore) ListDevices(ctx context.Context, userID string) ([]*TrustedDevice, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ListDevices(ctx, userID)
}

func (b *boundStore) DeleteDevice(ctx context.Context, userID, id string) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.DeleteDevice(ctx, userID, id)
}

func (b *boundStore) DeleteDevices(ctx context.Context, userID string) (int, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.DeleteDevices(ctx, userID)
}

func (b *boundStore) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ReplaceRecoveryCodes(ctx, userID, hashes)
}

func (b *boundStore) ConsumeRecoveryCode(ctx context.Context, userID string, hash []byte) (int, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.ConsumeRecoveryCode(ctx, userID, hash)
}

func (b *boundStore) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.CountRecoveryCodes(ctx, userID)
}

func (b *boundStore) PutActivationCode(ctx context.Context, a *ActivationCode) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.PutActivationCode(ctx, a)
}

func (b *boundStore) GetActivationCode(ctx context.Context, userID string) (*ActivationCode, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.GetActivationCode(ctx, userID)
}

func (b *boundStore) UseActivationCode(ctx context.Context, userID string, hash []byte, now time.Time) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.UseActivationCode(ctx, userID, hash, now)
}

func (b *boundStore) GetUserState(ctx context.Context, userID string) (*UserState, error) {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.GetUserState(ctx, userID)
}

func (b *boundStore) SaveUserState(ctx context.Context, s *UserState) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.SaveUserState(ctx, s)
}

func (b *boundStore) DeleteUserState(ctx context.Context, userID string) error {
	ctx, cancel := b.m.storeContext(ctx)
	defer cancel()
	return b.s.DeleteUserState(ctx, userID)
}
