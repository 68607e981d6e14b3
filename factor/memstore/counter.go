package memstore

import (
	"context"
	"time"

	"github.com/twostep/twostep/factor"
)

// minSweep is the number of counters below which expired ones are left
// alone.
const minSweep = 1024

// counters are fixed-window counters. Expired counters are swept out
// whenever the map has doubled since the last sweep, which bounds memory by
// the live counters at an amortised constant cost per increment.
type counters struct {
	m         map[string]counter
	sweepSize int
}

type counter struct {
	n       int64
	expires time.Time
}

// IncrementCounter adds one to the counter named key and returns the new
// count. A counter whose expiry is not after now starts again at one with
// the given expiry.
func (s *Store) IncrementCounter(_ context.Context, key string, now, expires time.Time) (int64, error) {
	s.lock()
	defer s.unlock()
	return s.counters.increment(key, now, expires), nil
}

func (cs *counters) increment(key string, now, expires time.Time) int64 {
	if cs.m == nil {
		cs.m = make(map[string]counter)
	}
	c, ok := cs.m[key]
	if !ok || !c.expires.After(now) {
		c = counter{expires: expires}
		cs.sweep(now)
	}
	c.n++
	cs.m[key] = c
	return c.n
}

// sweep drops the counters that expired at now once the map has grown to
// twice its size after the last sweep. It copies the live counters into a
// new map, because a Go map never gives back the room it once needed.
func (cs *counters) sweep(now time.Time) {
	if len(cs.m) < max(minSweep, 2*cs.sweepSize) {
		return
	}
	live := make(map[string]counter)
	for k, c := range cs.m {
		if c.expires.After(now) {
			live[k] = c
		}
	}
	cs.m = live
	cs.sweepSize = len(live)
}

// ChargeCounters charges every window if all of them have room, under the
// store's lock, and otherwise returns the full ones and changes nothing.
func (s *Store) ChargeCounters(_ context.Context, windows []factor.CounterWindow, now time.Time) ([]int, error) {
	s.lock()
	defer s.unlock()
	var full []int
	for i, w := range windows {
		if s.counters.current(w.Key, now) >= w.Limit {
			full = append(full, i)
		}
	}
	if len(full) > 0 {
		return full, nil
	}
	for _, w := range windows {
		s.counters.increment(w.Key, now, w.Expires)
	}
	return nil, nil
}

// RefundCounters takes one back from every window that has not expired.
func (s *Store) RefundCounters(_ context.Context, windows []factor.CounterWindow, now time.Time) error {
	s.lock()
	defer s.unlock()
	for _, w := range windows {
		if c, ok := s.counters.m[w.Key]; ok && c.expires.After(now) && c.n > 0 {
			c.n--
			s.counters.m[w.Key] = c
		}
	}
	return nil
}

// current is the count of key at now: zero once its window ended.
func (cs *counters) current(key string, now time.Time) int64 {
	if c, ok := cs.m[key]; ok && c.expires.After(now) {
		return c.n
	}
	return 0
}
