package factortest

import (
	"context"
	"slices"
	"sync"

	"github.com/twostep/twostep/factor"
)

// RecordingSender is a factor.Sender that records messages instead of
// delivering them, so that a test can read the codes a Manager sent. It is
// safe for concurrent use; the zero RecordingSender is ready to use.
type RecordingSender struct {
	// Err, when not nil, is returned by every Send, and the message is not
	// recorded. Set it before sending starts or use SetErr.
	Err error

	mu       sync.Mutex
	messages []factor.Message
}

var _ factor.Sender = (*RecordingSender)(nil)

// Send records m. It returns ctx's error if ctx is done and s.Err if it is
// set, and records nothing in either case.
func (s *RecordingSender) Send(ctx context.Context, m factor.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	s.messages = append(s.messages, m)
	return nil
}

// SetErr sets Err while other goroutines may be sending; nil makes sends
// succeed again.
func (s *RecordingSender) SetErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Err = err
}

// Messages returns the recorded messages, oldest first.
func (s *RecordingSender) Messages() []factor.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Last returns the most recently recorded message, and false if there is
// none.
func (s *RecordingSender) Last() (factor.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.messages) == 0 {
		return factor.Message{}, false
	}
	return s.messages[len(s.messages)-1], true
}

// Count returns how many messages were recorded.
func (s *RecordingSender) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Reset forgets the recorded messages.
func (s *RecordingSender) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}
