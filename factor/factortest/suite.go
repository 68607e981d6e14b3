package factortest

import (
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/twostep/twostep/factor"
)

// racers is how many goroutines the concurrency cases start.
const racers = 100

// subtest is one case of the conformance suite.
type subtest struct {
	name string
	run  func(t *testing.T, s factor.Store)
}

// TestStore runs the conformance suite against the factor.Store that
// newStore returns. It checks every rule written in the doc comments of the
// Store interfaces:
//
//   - CreateEnrollment and CreateChallenge set Version to 1; updates are a
//     compare-and-swap on Version that increments it on success and fails
//     with an error wrapping factor.ErrConflict when the Version is stale,
//     leaving both the record and the caller's Version unchanged;
//   - creating a record whose ID exists is factor.ErrConflict;
//   - a missing record is factor.ErrNotFound, and so is a record of another
//     user looked up, updated or deleted with that user's ID;
//   - records go in and come out as copies: mutating a record or byte slice
//     passed to the store or returned by it never changes stored data;
//   - lists are ordered by CreatedAt, then ID, and are empty, not an error,
//     for a user without records;
//   - attempts, counters, recovery codes, activation codes and
//     compare-and-swap updates are atomic: of 100 goroutines racing for one
//     thing exactly one wins, and 100 concurrent increments see 1 to 100
//     each once;
//   - a user is locked at now when now is before LockedUntil;
//   - a counter whose expiry is not after now starts again at one;
//   - times survive the round trip as the same instant. The suite truncates
//     times to microseconds and compares them with time.Time.Equal, so a
//     store may return them in UTC or another location, and zero times
//     must come back zero;
//   - an empty byte slice and nil are interchangeable;
//   - a store that implements the optional factor.VerifiedStore resets the
//     user's attempts exactly when the update succeeds; these subtests skip
//     for a store without it;
//   - a store that implements the optional factor.ReservingStore counts the
//     attempt as ReserveAttempt does, whether or not the enrollment exists,
//     and returns a copy of the enrollment, or ErrNotFound for a missing
//     one or another user's; these subtests skip for a store without it;
//   - a store that implements the optional factor.HandleStore finds a user
//     by any handle of up to 64 bytes, keeps copies, gives a handle to one
//     user (of 100 goroutines recording one handle for different users
//     exactly one wins), and deletes only the given user's handles, as
//     ForgetUser does too; these subtests skip for a store without it.
//
// Errors are matched with errors.Is, so a store may wrap them. newStore is
// called once per subtest and may return a fresh store or one shared store:
// every subtest uses user IDs, record IDs and counter keys of its own,
// made unique per process run, so data left by other subtests or earlier
// runs does not matter. IDs are ASCII letters, digits and dashes, and IDs
// that are compared for ordering differ only in a final lower-case letter,
// so that any collation orders them as Go does. The subtests do not run in
// parallel with each other; the concurrency cases start their own
// goroutines.
func TestStore(t *testing.T, newStore func(t *testing.T) factor.Store) {
	groups := []struct {
		name  string
		tests []subtest
	}{
		{"Enrollment", enrollmentTests},
		{"VerifiedStore", verifiedTests},
		{"ReservingStore", reservingTests},
		{"Challenge", challengeTests},
		{"Attempts", attemptTests},
		{"Counter", counterTests},
		{"Device", deviceTests},
		{"Recovery", recoveryTests},
		{"Activation", activationTests},
		{"UserState", userStateTests},
		{"HandleStore", handleTests},
		{"Admin", adminTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, newStore(t))
				})
			}
		})
	}
}

var (
	runID  = rand.Text()[:10]
	nextID atomic.Int64
)

// newID returns an ID no other subtest or run uses, such as "user-K3J...-7".
func newID(prefix string) string {
	return fmt.Sprintf("%s-%s-%d", prefix, runID, nextID.Add(1))
}

// baseTime returns the current time at microsecond precision, without a
// monotonic reading.
func baseTime() time.Time {
	return time.Now().Truncate(time.Microsecond)
}

// hash returns a distinct 32-byte value standing in for a keyed hash.
func hash(seed string) []byte {
	h := make([]byte, 32)
	copy(h, seed)
	h[31] = byte(len(seed))
	return h
}

// race runs fn n times concurrently, released together, and returns the
// errors indexed like the calls.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// wins counts the nil errors in errs and checks that every other error
// wraps loss.
func wins(t *testing.T, errs []error, loss error) int {
	t.Helper()
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
			continue
		}
		assert.ErrorIs(t, err, loss)
	}
	return n
}

// sameTime compares instants, treating all zero times as equal.
func sameTime(t *testing.T, want, got time.Time, field string) {
	t.Helper()
	assert.Truef(t, want.Equal(got), "%s: want %v, got %v", field, want, got)
}

// normTime returns t in UTC without a monotonic reading, so that two
// normalised times are == exactly when they are Equal.
func normTime(t time.Time) time.Time {
	return t.Round(0).UTC()
}

// normBytes turns an empty slice into nil.
func normBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
