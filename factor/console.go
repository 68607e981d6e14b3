package factor

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// ConsoleSender is a Sender for development: it prints every message,
// code and full destination included, instead of delivering it. Never use
// it in production. The zero ConsoleSender prints to standard error; use it
// by pointer, as &factor.ConsoleSender{}. It is safe for concurrent use:
// messages never interleave.
type ConsoleSender struct {
	// W receives the messages. Nil means os.Stderr.
	W io.Writer

	mu sync.Mutex
}

// Send prints m to s.W. It returns ctx's error if ctx is already done, and
// any error from writing.
func (s *ConsoleSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- twostep %s to %s (challenge %s, language %s, expires %s)\n",
		m.Kind, m.To, m.ChallengeID, m.Language, m.ExpiresAt.Format(time.RFC3339))
	if m.Keypad {
		fmt.Fprintf(&b, "keypad digits: %s\n", m.Code)
	} else {
		fmt.Fprintf(&b, "code: %s\n", m.Code)
	}
	if m.Subject != "" {
		fmt.Fprintf(&b, "subject: %s\n", m.Subject)
	}
	fmt.Fprintf(&b, "%s\n", m.Text)
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.W
	if w == nil {
		w = os.Stderr
	}
	_, err := io.WriteString(w, b.String())
	return err
}
