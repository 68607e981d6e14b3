package factortest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

// TestFaultStoreConformance proves that a FaultStore that fails nothing is
// a faithful Store: it passes the whole conformance suite.
func TestFaultStoreConformance(t *testing.T) {
	factortest.TestStore(t, func(*testing.T) factor.Store {
		return (&factortest.FaultStore{Inner: memstore.New()}).Store()
	})
}

// plainStore hides memstore's optional VerifiedStore.
type plainStore struct{ factor.Store }

func TestFaultStoreForwardsVerifiedStoreOnlyWhenInnerHasIt(t *testing.T) {
	with := (&factortest.FaultStore{Inner: memstore.New()}).Store()
	_, ok := with.(factor.VerifiedStore)
	assert.True(t, ok, "memstore is a VerifiedStore")

	without := (&factortest.FaultStore{Inner: plainStore{memstore.New()}}).Store()
	_, ok = without.(factor.VerifiedStore)
	assert.False(t, ok, "a store without it must not gain it")

	_, ok = any(&factortest.FaultStore{}).(factor.VerifiedStore)
	assert.False(t, ok, "the FaultStore itself never has it")
}

func TestFaultStoreForwardsReservingStoreOnlyWhenInnerHasIt(t *testing.T) {
	with := (&factortest.FaultStore{Inner: memstore.New()}).Store()
	_, ok := with.(factor.ReservingStore)
	assert.True(t, ok, "memstore is a ReservingStore")
	_, ok = with.(factor.VerifiedStore)
	assert.True(t, ok, "and a VerifiedStore")

	only := (&factortest.FaultStore{Inner: reservingOnly{plainStore{memstore.New()}, memstore.New()}}).Store()
	_, ok = only.(factor.ReservingStore)
	assert.True(t, ok, "a ReservingStore without VerifiedStore keeps it")
	_, ok = only.(factor.VerifiedStore)
	assert.False(t, ok, "and does not gain VerifiedStore")

	without := (&factortest.FaultStore{Inner: plainStore{memstore.New()}}).Store()
	_, ok = without.(factor.ReservingStore)
	assert.False(t, ok, "a store without it must not gain it")

	_, ok = any(&factortest.FaultStore{}).(factor.ReservingStore)
	assert.False(t, ok, "the FaultStore itself never has it")
}

// reservingOnly is a store with factor.ReservingStore but not
// factor.VerifiedStore.
type reservingOnly struct {
	plainStore
	rs factor.ReservingStore
}

func (s reservingOnly) ReserveAttemptGetEnrollment(ctx context.Context, userID, id string, now time.Time) (factor.LockState, *factor.Enrollment, error) {
	return s.rs.ReserveAttemptGetEnrollment(ctx, userID, id, now)
}

func TestFaultStoreFailsReserveAttemptGetEnrollment(t *testing.T) {
	ctx := t.Context()
	inner := memstore.New()
	fs := &factortest.FaultStore{Inner: inner}
	rs := fs.Store().(factor.ReservingStore)
	now := time.Now()
	e := &factor.Enrollment{ID: "e1", UserID: "alice", Kind: factor.KindTOTP}
	require.NoError(t, inner.CreateEnrollment(ctx, e))

	a, got, err := rs.ReserveAttemptGetEnrollment(ctx, "alice", "e1", now)
	require.NoError(t, err)
	assert.Equal(t, 1, a.Failures)
	assert.Equal(t, "e1", got.ID)
	a, got, err = rs.ReserveAttemptGetEnrollment(ctx, "alice", "missing", now)
	require.ErrorIs(t, err, factor.ErrNotFound, "a missing enrollment passes through")
	assert.Nil(t, got)
	assert.Equal(t, 2, a.Failures, "with the attempts")

	fs.Arm(1, false)
	_, got, err = rs.ReserveAttemptGetEnrollment(ctx, "alice", "e1", now)
	require.ErrorIs(t, err, factortest.ErrInjected)
	assert.Nil(t, got)
	fs.Arm(1, true)
	_, _, err = rs.ReserveAttemptGetEnrollment(ctx, "alice", "e1", now)
	require.ErrorIs(t, err, factortest.ErrInjected)
	assert.Equal(t, []string{"ReserveAttemptGetEnrollment"}, fs.Calls())
	a, err = inner.ReserveAttempt(ctx, "alice", now)
	require.NoError(t, err)
	assert.Equal(t, 4, a.Failures, "the refused call counted nothing, the lost reply did")
}

func TestFaultStoreFailsTheNthCall(t *testing.T) {
	ctx := t.Context()
	fs := &factortest.FaultStore{Inner: memstore.New(), FailAt: 2}
	s := fs.Store()
	now := time.Now()

	_, err := s.ReserveAttempt(ctx, "alice", now)
	require.NoError(t, err)
	_, err = s.ReserveAttempt(ctx, "alice", now)
	require.ErrorIs(t, err, factortest.ErrInjected)
	assert.Contains(t, err.Error(), "ReserveAttempt")
	_, err = s.ReserveAttempt(ctx, "alice", now)
	require.NoError(t, err, "only one call fails")

	method, ok := fs.Injected()
	assert.True(t, ok)
	assert.Equal(t, "ReserveAttempt", method)
	assert.Equal(t, []string{"ReserveAttempt", "ReserveAttempt", "ReserveAttempt"}, fs.Calls())

	at, err := fs.Inner.ReserveAttempt(ctx, "alice", now)
	require.NoError(t, err)
	assert.Equal(t, 3, at.Failures, "the failed call never reached the store")

	fs.Arm(0, false)
	assert.Empty(t, fs.Calls())
	_, ok = fs.Injected()
	assert.False(t, ok)
}

func TestFaultStoreCommitKeepsTheEffectButNotTheReply(t *testing.T) {
	ctx := t.Context()
	fs := &factortest.FaultStore{Inner: memstore.New()}
	s := fs.Store()
	e := &factor.Enrollment{ID: "e1", UserID: "alice", Kind: factor.KindTOTP, CreatedAt: time.Now()}
	require.NoError(t, s.CreateEnrollment(ctx, e))

	fs.Arm(1, true)
	e.Label = "changed"
	err := s.(factor.VerifiedStore).UpdateEnrollmentVerified(ctx, e)
	require.ErrorIs(t, err, factortest.ErrInjected)
	assert.Equal(t, int64(1), e.Version, "a lost reply leaves the caller's Version alone")

	stored, err := fs.Inner.GetEnrollment(ctx, "alice", "e1")
	require.NoError(t, err)
	assert.Equal(t, "changed", stored.Label, "the change was committed")
	assert.ErrorIs(t, s.UpdateEnrollment(ctx, e), factor.ErrConflict, "so the caller's next update is stale")
}

// TestFaultStoreHandles checks the forwarding of factor.HandleStore: a
// failed call, a committed one whose reply is lost, and an inner store
// without the capability.
func TestFaultStoreHandles(t *testing.T) {
	ctx := t.Context()
	fs := &factortest.FaultStore{Inner: memstore.New(), FailAt: 1}
	hs := fs.Store().(factor.HandleStore)
	require.ErrorIs(t, hs.PutHandle(ctx, "alice", []byte("h1")), factortest.ErrInjected)
	_, err := fs.Inner.(factor.HandleStore).UserByHandle(ctx, []byte("h1"))
	assert.ErrorIs(t, err, factor.ErrNotFound, "the failed call never reached the store")

	fs.Arm(1, true)
	require.ErrorIs(t, hs.PutHandle(ctx, "alice", []byte("h1")), factortest.ErrInjected)
	user, err := hs.UserByHandle(ctx, []byte("h1"))
	require.NoError(t, err, "the committed call recorded the handle")
	assert.Equal(t, "alice", user)
	n, err := hs.DeleteHandles(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"PutHandle", "UserByHandle", "DeleteHandles"}, fs.Calls())

	without := (&factortest.FaultStore{Inner: plainStore{memstore.New()}}).Store().(factor.HandleStore)
	assert.ErrorIs(t, without.PutHandle(ctx, "alice", []byte("h1")), errors.ErrUnsupported)
	_, err = without.UserByHandle(ctx, []byte("h1"))
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = without.DeleteHandles(ctx, "alice")
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

func TestFailingSender(t *testing.T) {
	var s factortest.FailingSender
	err := s.Send(t.Context(), factor.Message{Code: "123456"})
	require.ErrorIs(t, err, factortest.ErrInjected)
	assert.NotContains(t, err.Error(), "123456")
	require.Len(t, s.Messages(), 1)
	assert.Equal(t, "123456", s.Messages()[0].Code)

	boom := errors.New("boom")
	s.Err = boom
	assert.ErrorIs(t, s.Send(t.Context(), factor.Message{}), boom)
}

func TestSlowSenderWaitsForTheDeadline(t *testing.T) {
	var s factortest.SlowSender
	start := time.Now() // before the deadline is set, so the wait is never measured short
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	err := s.Send(ctx, factor.Message{Code: "123456"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	assert.Len(t, s.Messages(), 1)
}

// ExampleFaultStore fails the second Store call of an operation: the
// Manager reports the failure and the caller can tell it apart with
// errors.Is.
func ExampleFaultStore() {
	ctx := context.Background()
	fs := &factortest.FaultStore{Inner: memstore.New()}
	m, err := factor.NewManager(factor.Config{Store: fs.Store(), Keys: []factor.ServerKey{{ID: "k1", Secret: make([]byte, 32)}}})
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

	fs.Arm(0, false) // count the calls of a clean run
	_, err = m.Reset(ctx, factor.ResetRequest{UserID: "alice", Actor: "admin"}, now)
	fmt.Println(err, fs.Calls())

	fs.Arm(2, false) // and fail the second
	_, err = m.Reset(ctx, factor.ResetRequest{UserID: "alice", Actor: "admin"}, now)
	method, _ := fs.Injected()
	fmt.Println(errors.Is(err, factortest.ErrInjected), method)
	// Output:
	// <nil> [DeleteEnrollments ReplaceRecoveryCodes DeleteChallenges DeleteDevices ResetAttempts GetUserState SaveUserState GetActivationCode]
	// true ReplaceRecoveryCodes
}
