package factor_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

func TestConsoleSender(t *testing.T) {
	var buf bytes.Buffer
	s := &factor.ConsoleSender{W: &buf}
	m := factor.Message{Kind: factor.KindSMS, To: "+31612345678", Code: "123456", ChallengeID: "ch1", Language: "nl",
		Text: "Uw verificatiecode is 123456.", ExpiresAt: time.Date(2026, 7, 1, 9, 5, 0, 0, time.UTC)}
	require.NoError(t, s.Send(context.Background(), m))
	assert.Equal(t, "--- twostep sms to +31612345678 (challenge ch1, language nl, expires 2026-07-01T09:05:00Z)\n"+
		"code: 123456\nUw verificatiecode is 123456.\n", buf.String())

	buf.Reset()
	m = factor.Message{Kind: factor.KindEmail, To: "a@example.com", Code: "654321", Subject: "Je code", Text: "body"}
	require.NoError(t, s.Send(context.Background(), m))
	assert.Contains(t, buf.String(), "subject: Je code\nbody\n")

	buf.Reset()
	require.NoError(t, s.Send(context.Background(), factor.Message{Kind: factor.KindVoice, Keypad: true, Code: "42"}))
	assert.Contains(t, buf.String(), "keypad digits: 42\n")
}

func TestConsoleSenderHonoursContext(t *testing.T) {
	var buf bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := (&factor.ConsoleSender{W: &buf}).Send(ctx, factor.Message{Code: "1"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, buf.Len())
}

func TestConsoleSenderWriteError(t *testing.T) {
	w := failingWriter{}
	assert.Error(t, (&factor.ConsoleSender{W: w}).Send(context.Background(), factor.Message{}))
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestConsoleSenderConcurrent proves that concurrent messages never
// interleave: every message arrives as one block.
func TestConsoleSenderConcurrent(t *testing.T) {
	var buf bytes.Buffer // not safe for concurrent use on its own
	s := &factor.ConsoleSender{W: &buf}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			assert.NoError(t, s.Send(context.Background(), factor.Message{Kind: factor.KindSMS, Code: "111111", Text: "line"}))
		})
	}
	wg.Wait()
	blocks := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n---")
	require.Len(t, blocks, 50)
	for _, b := range blocks {
		assert.Contains(t, b, "code: 111111\nline")
	}
}
