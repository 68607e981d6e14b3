package factortest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

func TestClock(t *testing.T) {
	start := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	c := factortest.NewClock(start)
	assert.Equal(t, start, c.Now())
	assert.Equal(t, start.Add(time.Minute), c.Advance(time.Minute))
	assert.Equal(t, start.Add(time.Minute), c.Now())
	c.Set(start.Add(-time.Hour))
	assert.Equal(t, start.Add(-time.Hour), c.Now())

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { c.Advance(time.Second); c.Now() })
	}
	wg.Wait()
	assert.Equal(t, start.Add(-time.Hour+50*time.Second), c.Now())
}

func TestRecordingSender(t *testing.T) {
	ctx := t.Context()
	var s factortest.RecordingSender
	_, ok := s.Last()
	assert.False(t, ok)

	require.NoError(t, s.Send(ctx, factor.Message{Kind: factor.KindSMS, Code: "111111"}))
	require.NoError(t, s.Send(ctx, factor.Message{Kind: factor.KindEmail, Code: "222222"}))
	last, ok := s.Last()
	require.True(t, ok)
	assert.Equal(t, "222222", last.Code)
	assert.Equal(t, 2, s.Count())

	msgs := s.Messages()
	msgs[0].Code = "changed"
	assert.Equal(t, "111111", s.Messages()[0].Code, "Messages returns a copy")

	boom := errors.New("gateway down")
	s.SetErr(boom)
	assert.ErrorIs(t, s.Send(ctx, factor.Message{}), boom)
	s.SetErr(nil)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, s.Send(cancelled, factor.Message{}), context.Canceled)
	assert.Equal(t, 2, s.Count(), "failed sends are not recorded")

	s.Reset()
	assert.Zero(t, s.Count())
}

func TestRecordingSenderConcurrent(t *testing.T) {
	var s factortest.RecordingSender
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() { _ = s.Send(t.Context(), factor.Message{Code: fmt.Sprint(i)}) })
		wg.Go(func() { s.Last(); s.Messages() })
	}
	wg.Wait()
	assert.Equal(t, 100, s.Count())
}

func TestLogger(t *testing.T) {
	log, buf := factortest.NewLogger()
	assert.Empty(t, buf.Lines())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { log.Debug("twostep: sent", "n", i) })
	}
	wg.Wait()
	lines := buf.Lines()
	require.Len(t, lines, 20)
	for _, l := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec), "each line is one JSON record")
		assert.Equal(t, "twostep: sent", rec["msg"])
	}
	assert.True(t, buf.Contains(`"level":"DEBUG"`))
	assert.False(t, buf.Contains("123456"))
}

// Example shows the fakes in a test of code that sends codes: the clock is
// set by hand, the sender keeps the messages and the log can be searched
// for secrets.
func Example() {
	clock := factortest.NewClock(time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC))
	sender := new(factortest.RecordingSender)
	logger, logs := factortest.NewLogger()

	msg := factor.Message{Kind: factor.KindSMS, To: "+31612345678", Code: "493817", ExpiresAt: clock.Advance(5 * time.Minute)}
	if err := sender.Send(context.Background(), msg); err != nil {
		panic(err)
	}
	logger.Info("code sent", "message", msg)

	last, _ := sender.Last()
	fmt.Println("sent:", sender.Count(), last.Code)
	fmt.Println("expires:", last.ExpiresAt.Format(time.TimeOnly))
	fmt.Println("code in log:", logs.Contains("493817"))
	// Output:
	// sent: 1 493817
	// expires: 09:05:00
	// code in log: false
}
