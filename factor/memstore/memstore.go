// Package memstore keeps everything twostep persists in memory. It is meant
// for tests, examples and single-process applications that can afford to
// forget every enrollment on restart; use factor/sqlstore for anything else.
//
// A Store is safe for concurrent use. It hands out copies and keeps copies,
// so a caller can never change stored data by mutating a record it passed
// in or got back.
//
// Nothing grows without bound: whenever a map of challenges, trusted
// devices, pending enrollments or send-budget counters has doubled since it
// was last swept, the records that can never be used again are dropped, so
// a long-running process keeps flat memory without calling anything.
// Manager.Prune removes them at once, and Manager.Forget erases a user.
//
// # Writing a Store of your own
//
// Every factor.Store must pass the conformance suite in factor/factortest,
// which checks the rules written in the interface doc comments, including
// the concurrency cases (100 goroutines racing, one winner). Run it from a
// test in your own package:
//
//	func TestStore(t *testing.T) {
//		factortest.TestStore(t, func(t *testing.T) factor.Store {
//			return mystore.Open(t.TempDir())
//		})
//	}
//
// The suite uses fresh user IDs in every subtest, so newStore may also
// return one store shared by all subtests.
package memstore

import (
	"sync"

	"github.com/twostep/twostep/factor"
)

// Store is an in-memory factor.Store. The zero Store is ready to use; New
// returns one too.
type Store struct {
	mu          sync.Mutex
	users       map[string]*user
	enrollments map[string]*factor.Enrollment
	devices     map[string]*factor.TrustedDevice
	challenges  map[string]*factor.Challenge
	handles     map[string]string // user handle → user ID (factor.HandleStore)
	counters    counters
	swept       swept
}

// user holds everything stored for one user. Small slices keep the memory
// per user low: a user has a handful of enrollments, devices and codes.
type user struct {
	enrollments []*factor.Enrollment
	devices     []*factor.TrustedDevice
	challenges  []string
	recovery    [][]byte
	activation  *factor.ActivationCode
	attempts    factor.LockState
	state       factor.UserState
}

var (
	_ factor.Store         = (*Store)(nil)
	_ factor.VerifiedStore = (*Store)(nil)
)

// New returns an empty Store.
func New() *Store {
	return &Store{}
}

// lock locks s and makes its maps on first use.
func (s *Store) lock() {
	s.mu.Lock()
	if s.users == nil {
		s.users = make(map[string]*user)
		s.enrollments = make(map[string]*factor.Enrollment)
		s.devices = make(map[string]*factor.TrustedDevice)
		s.challenges = make(map[string]*factor.Challenge)
	}
}

func (s *Store) unlock() {
	s.mu.Unlock()
}

// user returns the user's record, creating it when create is set. Without
// create it returns nil for a user the store does not know.
func (s *Store) user(userID string, create bool) *user {
	u := s.users[userID]
	if u == nil && create {
		u = &user{}
		s.users[userID] = u
	}
	return u
}

// forget drops the user's record once nothing is left in it, so that users
// who only ever failed to log in do not pile up.
func (s *Store) forget(userID string, u *user) {
	if u != nil && u.empty() {
		delete(s.users, userID)
	}
}

func (u *user) empty() bool {
	return len(u.enrollments) == 0 && len(u.devices) == 0 && len(u.challenges) == 0 &&
		len(u.recovery) == 0 && u.activation == nil && u.state.Version == 0 &&
		u.attempts.Failures == 0 && u.attempts.Locks == 0 && u.attempts.LockedUntil.IsZero()
}

// InMemory reports true: the store never waits on I/O, so the Manager
// gives its calls no deadline of their own (factor.InMemoryStore).
func (s *Store) InMemory() bool { return true }
