package factor

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// window is one fixed-window send budget.
type window struct {
	scope  string
	key    string
	limit  int
	length time.Duration
}

// spend counts one send against every budget it falls under and refuses it,
// with the longest wait, when any budget is exceeded. Refused sends still
// count, so a flood cannot outrun the limits.
func (m *Manager) spend(ctx context.Context, e *Enrollment, now time.Time) error {
	dest := m.destinationKey(e.Address)
	b := m.cfg.Budget
	windows := []window{
		{"destination", dest, b.PerDestinationHour, time.Hour},
		{"destination", dest, b.PerDestinationDay, 24 * time.Hour},
		{"user", m.userBudgetKey(e.UserID), b.PerUserDay, 24 * time.Hour},
		{"global", "global", b.GlobalPerMinute, time.Minute},
	}
	var refused *RateLimitError
	for _, w := range windows {
		if w.limit < 0 {
			continue
		}
		err := m.count(ctx, w, now)
		if rl, ok := err.(*RateLimitError); ok {
			if refused == nil || rl.RetryAfter > refused.RetryAfter {
				refused = rl
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	if refused != nil {
		m.log.Warn("twostep: send budget exceeded", "user", e.UserID, "scope", refused.Scope)
		return refused
	}
	return nil
}

func (m *Manager) count(ctx context.Context, w window, now time.Time) error {
	start := now.Truncate(w.length)
	end := start.Add(w.length)
	key := w.key + ":" + strconv.FormatInt(int64(w.length/time.Second), 10) + ":" + strconv.FormatInt(start.Unix(), 10)
	n, err := m.store.IncrementCounter(ctx, key, now, end)
	if err != nil {
		return fmt.Errorf("factor: send budget: %w", err)
	}
	if n > int64(w.limit) {
		return &RateLimitError{Scope: w.scope, RetryAfter: end.Sub(now)}
	}
	return nil
}
