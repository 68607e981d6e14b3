package factortest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twostep/twostep/factor"
)

// ErrInjected is wrapped by every failure a FaultStore or a FailingSender
// makes up.
var ErrInjected = errors.New("factortest: injected failure")

// FaultStore is a factor.Store that forwards every call to Inner and fails
// one of them on purpose, so that a test can check what code built on a
// Store does when the Store fails at each step of an operation:
//
//	fs := &factortest.FaultStore{Inner: memstore.New()}
//	m, err := factor.NewManager(factor.Config{Store: fs.Store(), ...})
//	// set up with no faults, then count the calls of one clean run:
//	fs.Arm(0, false)
//	op()
//	n := len(fs.Calls())
//	// and in a fresh setup fail each of them in turn: fs.Arm(k, false)
//
// Calls are counted over all methods from 1. The call numbered FailAt
// returns an error wrapping ErrInjected; every other call is forwarded.
// With Commit set the failing call is forwarded first and then reported as
// failed, like a database that committed but whose reply was lost; records
// passed in are copied for it, so the caller's Version stays as it was.
//
// A FaultStore is safe for concurrent use. Set FailAt and Commit before
// use or with Arm.
type FaultStore struct {
	// Inner receives the calls.
	Inner factor.Store
	// FailAt numbers the call to fail, counting from 1; zero fails none.
	FailAt int
	// Commit forwards the failing call before failing it.
	Commit bool
	// BeforeFail, if set, is called with the method's name just before
	// the failing call is refused or forwarded, so that a test can look at
	// Inner as the failure finds it. It must not call s.
	BeforeFail func(method string)

	mu       sync.Mutex
	calls    []string
	injected string
}

var _ factor.Store = (*FaultStore)(nil)

// Store returns s as the factor.Store to hand to a Manager. It implements
// the optional factor.VerifiedStore and factor.ReservingStore exactly when
// Inner does, so that the Manager takes the same paths it takes with
// Inner. s itself implements neither. s and the store it returns always
// implement factor.PruningStore, factor.ForgettingStore,
// factor.OverviewStore and factor.HandleStore, which fail with an error
// wrapping errors.ErrUnsupported when Inner lacks them.
func (s *FaultStore) Store() factor.Store {
	_, verified := s.Inner.(factor.VerifiedStore)
	_, reserving := s.Inner.(factor.ReservingStore)
	switch {
	case verified && reserving:
		return verifiedReservingFaultStore{s}
	case verified:
		return verifiedFaultStore{s}
	case reserving:
		return reservingFaultStore{s}
	}
	return s
}

// Arm forgets the calls made so far and sets which call fails next.
func (s *FaultStore) Arm(failAt int, commit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.FailAt, s.Commit, s.calls, s.injected = failAt, commit, nil, ""
}

// Calls returns the names of the methods called since the last Arm, in
// order.
func (s *FaultStore) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Injected returns the name of the method that failed on purpose since the
// last Arm, and false if none did.
func (s *FaultStore) Injected() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injected, s.injected != ""
}

// next counts a call and reports whether it fails, and if so whether it is
// forwarded first.
func (s *FaultStore) next(method string) (fail, commit bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, method)
	if len(s.calls) != s.FailAt {
		return false, false, nil
	}
	s.injected = method
	return true, s.Commit, fmt.Errorf("factortest: %s failed (store call %d): %w", method, s.FailAt, ErrInjected)
}

// do runs call unless this is the call to fail. call's argument tells it
// that its reply will be lost, so it must not change the caller's records.
func do[T any](s *FaultStore, method string, call func(lost bool) (T, error)) (T, error) {
	fail, commit, err := s.next(method)
	if !fail {
		return call(false)
	}
	if s.BeforeFail != nil {
		s.BeforeFail(method)
	}
	if commit {
		_, _ = call(true)
	}
	var zero T
	return zero, err
}

// do0 is do for methods that return only an error.
func do0(s *FaultStore, method string, call func(lost bool) error) error {
	_, err := do(s, method, func(lost bool) (struct{}, error) { return struct{}{}, call(lost) })
	return err
}

// copyIf returns a shallow copy of *v when lost is set, and v otherwise.
func copyIf[T any](lost bool, v *T) *T {
	if !lost {
		return v
	}
	c := *v
	return &c
}

// CreateEnrollment forwards to Inner unless this call fails.
func (s *FaultStore) CreateEnrollment(ctx context.Context, e *factor.Enrollment) error {
	return do0(s, "CreateEnrollment", func(lost bool) error { return s.Inner.CreateEnrollment(ctx, copyIf(lost, e)) })
}

// GetEnrollment forwards to Inner unless this call fails.
func (s *FaultStore) GetEnrollment(ctx context.Context, userID, id string) (*factor.Enrollment, error) {
	return do(s, "GetEnrollment", func(bool) (*factor.Enrollment, error) { return s.Inner.GetEnrollment(ctx, userID, id) })
}

// ListEnrollments forwards to Inner unless this call fails.
func (s *FaultStore) ListEnrollments(ctx context.Context, userID string) ([]*factor.Enrollment, error) {
	return do(s, "ListEnrollments", func(bool) ([]*factor.Enrollment, error) { return s.Inner.ListEnrollments(ctx, userID) })
}

// UpdateEnrollment forwards to Inner unless this call fails.
func (s *FaultStore) UpdateEnrollment(ctx context.Context, e *factor.Enrollment) error {
	return do0(s, "UpdateEnrollment", func(lost bool) error { return s.Inner.UpdateEnrollment(ctx, copyIf(lost, e)) })
}

// DeleteEnrollment forwards to Inner unless this call fails.
func (s *FaultStore) DeleteEnrollment(ctx context.Context, userID, id string) error {
	return do0(s, "DeleteEnrollment", func(bool) error { return s.Inner.DeleteEnrollment(ctx, userID, id) })
}

// DeleteEnrollments forwards to Inner unless this call fails.
func (s *FaultStore) DeleteEnrollments(ctx context.Context, userID string) (int, error) {
	return do(s, "DeleteEnrollments", func(bool) (int, error) { return s.Inner.DeleteEnrollments(ctx, userID) })
}

// ReserveAttempt forwards to Inner unless this call fails.
func (s *FaultStore) ReserveAttempt(ctx context.Context, userID string, now time.Time) (factor.LockState, error) {
	return do(s, "ReserveAttempt", func(bool) (factor.LockState, error) { return s.Inner.ReserveAttempt(ctx, userID, now) })
}

// LockUser forwards to Inner unless this call fails.
func (s *FaultStore) LockUser(ctx context.Context, userID string, now, until time.Time) (factor.LockState, error) {
	return do(s, "LockUser", func(bool) (factor.LockState, error) { return s.Inner.LockUser(ctx, userID, now, until) })
}

// ResetAttempts forwards to Inner unless this call fails.
func (s *FaultStore) ResetAttempts(ctx context.Context, userID string) error {
	return do0(s, "ResetAttempts", func(bool) error { return s.Inner.ResetAttempts(ctx, userID) })
}

// CreateChallenge forwards to Inner unless this call fails.
func (s *FaultStore) CreateChallenge(ctx context.Context, c *factor.Challenge) error {
	return do0(s, "CreateChallenge", func(lost bool) error { return s.Inner.CreateChallenge(ctx, copyIf(lost, c)) })
}

// GetChallenge forwards to Inner unless this call fails.
func (s *FaultStore) GetChallenge(ctx context.Context, id string) (*factor.Challenge, error) {
	return do(s, "GetChallenge", func(bool) (*factor.Challenge, error) { return s.Inner.GetChallenge(ctx, id) })
}

// UpdateChallenge forwards to Inner unless this call fails.
func (s *FaultStore) UpdateChallenge(ctx context.Context, c *factor.Challenge) error {
	return do0(s, "UpdateChallenge", func(lost bool) error { return s.Inner.UpdateChallenge(ctx, copyIf(lost, c)) })
}

// DeleteChallenges forwards to Inner unless this call fails.
func (s *FaultStore) DeleteChallenges(ctx context.Context, userID string) error {
	return do0(s, "DeleteChallenges", func(bool) error { return s.Inner.DeleteChallenges(ctx, userID) })
}

// ChargeCounters forwards to Inner unless this call fails.
func (s *FaultStore) ChargeCounters(ctx context.Context, windows []factor.CounterWindow, now time.Time) ([]int, error) {
	return do(s, "ChargeCounters", func(bool) ([]int, error) { return s.Inner.ChargeCounters(ctx, windows, now) })
}

// RefundCounters forwards to Inner unless this call fails.
func (s *FaultStore) RefundCounters(ctx context.Context, windows []factor.CounterWindow, now time.Time) error {
	return do0(s, "RefundCounters", func(bool) error { return s.Inner.RefundCounters(ctx, windows, now) })
}

// IncrementCounter forwards to Inner unless this call fails.
func (s *FaultStore) IncrementCounter(ctx context.Context, key string, now, expires time.Time) (int64, error) {
	return do(s, "IncrementCounter", func(bool) (int64, error) { return s.Inner.IncrementCounter(ctx, key, now, expires) })
}

// CreateDevice forwards to Inner unless this call fails.
func (s *FaultStore) CreateDevice(ctx context.Context, d *factor.TrustedDevice) error {
	return do0(s, "CreateDevice", func(lost bool) error { return s.Inner.CreateDevice(ctx, copyIf(lost, d)) })
}

// GetDevice forwards to Inner unless this call fails.
func (s *FaultStore) GetDevice(ctx context.Context, id string) (*factor.TrustedDevice, error) {
	return do(s, "GetDevice", func(bool) (*factor.TrustedDevice, error) { return s.Inner.GetDevice(ctx, id) })
}

// TouchDevice forwards to Inner unless this call fails.
func (s *FaultStore) TouchDevice(ctx context.Context, id string, lastUsed time.Time) error {
	return do0(s, "TouchDevice", func(bool) error { return s.Inner.TouchDevice(ctx, id, lastUsed) })
}

// ListDevices forwards to Inner unless this call fails.
func (s *FaultStore) ListDevices(ctx context.Context, userID string) ([]*factor.TrustedDevice, error) {
	return do(s, "ListDevices", func(bool) ([]*factor.TrustedDevice, error) { return s.Inner.ListDevices(ctx, userID) })
}

// DeleteDevice forwards to Inner unless this call fails.
func (s *FaultStore) DeleteDevice(ctx context.Context, userID, id string) error {
	return do0(s, "DeleteDevice", func(bool) error { return s.Inner.DeleteDevice(ctx, userID, id) })
}

// DeleteDevices forwards to Inner unless this call fails.
func (s *FaultStore) DeleteDevices(ctx context.Context, userID string) (int, error) {
	return do(s, "DeleteDevices", func(bool) (int, error) { return s.Inner.DeleteDevices(ctx, userID) })
}

// ReplaceRecoveryCodes forwards to Inner unless this call fails.
func (s *FaultStore) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	return do0(s, "ReplaceRecoveryCodes", func(bool) error { return s.Inner.ReplaceRecoveryCodes(ctx, userID, hashes) })
}

// ConsumeRecoveryCode forwards to Inner unless this call fails.
func (s *FaultStore) ConsumeRecoveryCode(ctx context.Context, userID string, hash []byte) (int, error) {
	return do(s, "ConsumeRecoveryCode", func(bool) (int, error) { return s.Inner.ConsumeRecoveryCode(ctx, userID, hash) })
}

// CountRecoveryCodes forwards to Inner unless this call fails.
func (s *FaultStore) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	return do(s, "CountRecoveryCodes", func(bool) (int, error) { return s.Inner.CountRecoveryCodes(ctx, userID) })
}

// PutActivationCode forwards to Inner unless this call fails.
func (s *FaultStore) PutActivationCode(ctx context.Context, a *factor.ActivationCode) error {
	return do0(s, "PutActivationCode", func(lost bool) error { return s.Inner.PutActivationCode(ctx, copyIf(lost, a)) })
}

// GetActivationCode forwards to Inner unless this call fails.
func (s *FaultStore) GetActivationCode(ctx context.Context, userID string) (*factor.ActivationCode, error) {
	return do(s, "GetActivationCode", func(bool) (*factor.ActivationCode, error) { return s.Inner.GetActivationCode(ctx, userID) })
}

// UseActivationCode forwards to Inner unless this call fails.
func (s *FaultStore) UseActivationCode(ctx context.Context, userID string, hash []byte, now time.Time) error {
	return do0(s, "UseActivationCode", func(bool) error { return s.Inner.UseActivationCode(ctx, userID, hash, now) })
}

// GetUserState forwards to Inner unless this call fails.
func (s *FaultStore) GetUserState(ctx context.Context, userID string) (*factor.UserState, error) {
	return do(s, "GetUserState", func(bool) (*factor.UserState, error) { return s.Inner.GetUserState(ctx, userID) })
}

// SaveUserState forwards to Inner unless this call fails.
func (s *FaultStore) SaveUserState(ctx context.Context, us *factor.UserState) error {
	return do0(s, "SaveUserState", func(lost bool) error { return s.Inner.SaveUserState(ctx, copyIf(lost, us)) })
}

// DeleteUserState forwards to Inner unless this call fails.
func (s *FaultStore) DeleteUserState(ctx context.Context, userID string) error {
	return do0(s, "DeleteUserState", func(bool) error { return s.Inner.DeleteUserState(ctx, userID) })
}

// verifiedFaultStore adds factor.VerifiedStore to a FaultStore whose Inner
// has it.
type verifiedFaultStore struct{ *FaultStore }

// UpdateEnrollmentVerified forwards to Inner unless this call fails.
func (s verifiedFaultStore) UpdateEnrollmentVerified(ctx context.Context, e *factor.Enrollment) error {
	vs := s.Inner.(factor.VerifiedStore)
	return do0(s.FaultStore, "UpdateEnrollmentVerified", func(lost bool) error { return vs.UpdateEnrollmentVerified(ctx, copyIf(lost, e)) })
}

// reservingFaultStore adds factor.ReservingStore to a FaultStore whose
// Inner has it.
type reservingFaultStore struct{ *FaultStore }

// ReserveAttemptGetEnrollment forwards to Inner unless this call fails.
func (s reservingFaultStore) ReserveAttemptGetEnrollment(ctx context.Context, userID, id string, now time.Time) (factor.LockState, *factor.Enrollment, error) {
	rs := s.Inner.(factor.ReservingStore)
	type result struct {
		a factor.LockState
		e *factor.Enrollment
	}
	r, err := do(s.FaultStore, "ReserveAttemptGetEnrollment", func(bool) (result, error) {
		a, e, err := rs.ReserveAttemptGetEnrollment(ctx, userID, id, now)
		return result{a, e}, err
	})
	return r.a, r.e, err
}

// verifiedReservingFaultStore adds both optional capabilities to a
// FaultStore whose Inner has both.
type verifiedReservingFaultStore struct{ *FaultStore }

// UpdateEnrollmentVerified forwards to Inner unless this call fails.
func (s verifiedReservingFaultStore) UpdateEnrollmentVerified(ctx context.Context, e *factor.Enrollment) error {
	return verifiedFaultStore(s).UpdateEnrollmentVerified(ctx, e)
}

// ReserveAttemptGetEnrollment forwards to Inner unless this call fails.
func (s verifiedReservingFaultStore) ReserveAttemptGetEnrollment(ctx context.Context, userID, id string, now time.Time) (factor.LockState, *factor.Enrollment, error) {
	return reservingFaultStore(s).ReserveAttemptGetEnrollment(ctx, userID, id, now)
}

// FailingSender is a factor.Sender whose every Send fails, as a gateway that
// is down does. It keeps the messages it was given, so that a test can
// prove that the code in a message that failed to go out is of no use.
// It is safe for concurrent use; the zero FailingSender is ready to use.
type FailingSender struct {
	// Err is what Send returns; nil means an error wrapping ErrInjected.
	Err error

	rec RecordingSender
}

var _ factor.Sender = (*FailingSender)(nil)

// Send keeps m and fails.
func (s *FailingSender) Send(ctx context.Context, m factor.Message) error {
	_ = s.rec.Send(context.WithoutCancel(ctx), m)
	if s.Err != nil {
		return s.Err
	}
	return fmt.Errorf("factortest: gateway down: %w", ErrInjected)
}

// Messages returns the messages Send was given, oldest first.
func (s *FailingSender) Messages() []factor.Message { return s.rec.Messages() }

// SlowSender is a factor.Sender that never gets through: Send blocks until
// its context is done and returns the context's error, as a gateway that
// does not answer does. It keeps the messages it was given. It is safe for
// concurrent use; the zero SlowSender is ready to use.
type SlowSender struct {
	rec RecordingSender
}

var _ factor.Sender = (*SlowSender)(nil)

// Send keeps m and waits for ctx to be done. A context without a deadline
// or cancellation blocks Send for ever, which is what a test of timeouts
// wants to notice.
func (s *SlowSender) Send(ctx context.Context, m factor.Message) error {
	_ = s.rec.Send(context.WithoutCancel(ctx), m)
	<-ctx.Done()
	return ctx.Err()
}

// Messages returns the messages Send was given, oldest first.
func (s *SlowSender) Messages() []factor.Message { return s.rec.Messages() }
