package factortest

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
)

// LogBuffer collects log output for a test to search. It is an io.Writer
// that is safe for concurrent use; the zero LogBuffer is ready to use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLogger returns a logger that writes every record, debug level
// included, as one line of JSON into the returned buffer.
func NewLogger() (*slog.Logger, *LogBuffer) {
	b := new(LogBuffer)
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime}
	return slog.New(slog.NewJSONHandler(b, opts)), b
}

// Write appends p to the buffer.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Contains reports whether s occurs anywhere in the output written so far.
// Use it to prove that a secret never reached the log.
func (b *LogBuffer) Contains(s string) bool {
	return strings.Contains(b.String(), s)
}

// Lines returns the records written so far, one JSON object each.
func (b *LogBuffer) Lines() []string {
	s := strings.TrimSuffix(b.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// dropTime leaves the time out of captured lines: its digits could match a
// code by chance and make a leak search fail for nothing.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
