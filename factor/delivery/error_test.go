package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor/delivery"
)

func TestError(t *testing.T) {
	tests := map[string]struct {
		err       *delivery.Error
		reason    error
		text      string
		retryable bool
	}{
		"status and code": {&delivery.Error{Provider: "twilio", Status: 400, Code: "21211", Err: delivery.ErrInvalidNumber},
			delivery.ErrInvalidNumber, "twilio: invalid phone number (HTTP 400, code 21211)", false},
		"retry after": {&delivery.Error{Provider: "bird", Status: 429, RetryAfter: 3 * time.Second, Err: delivery.ErrThrottled},
			delivery.ErrThrottled, "bird: throttled by provider (HTTP 429), retry after 3s", true},
		"code only": {&delivery.Error{Provider: "smtp", Code: "535", Err: fmt.Errorf("connect: %w", delivery.ErrUnauthorized)},
			delivery.ErrUnauthorized, "smtp: connect: provider refused the credentials (code 535)", false},
		"no answer": {&delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: %w", delivery.ErrUnavailable, context.DeadlineExceeded)},
			delivery.ErrUnavailable, "twilio: provider unavailable: context deadline exceeded", true},
		"unregistered": {&delivery.Error{Provider: "fcm", Status: 404, Code: "UNREGISTERED", Err: delivery.ErrUnregistered},
			delivery.ErrUnregistered, "fcm: device token no longer registered (HTTP 404, code UNREGISTERED)", false},
		"no reason": {&delivery.Error{Provider: "x"}, nil, "x: delivery failed", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.text, tt.err.Error())
			assert.Equal(t, tt.retryable, tt.err.Retryable())
			if tt.reason != nil {
				require.ErrorIs(t, tt.err, tt.reason)
			}
			var de *delivery.Error
			require.ErrorAs(t, fmt.Errorf("wrapped: %w", tt.err), &de)
			assert.Same(t, tt.err, de)
		})
	}
}

// TestReasonsAreDistinct guards the errors.Is branches of hosts: no
// reason matches another.
func TestReasonsAreDistinct(t *testing.T) {
	for i, a := range reasons {
		for j, b := range reasons {
			assert.Equal(t, i == j, errors.Is(a, b), "%v is %v", a, b)
		}
	}
}

func TestNotSent(t *testing.T) {
	for _, r := range reasons {
		e := &delivery.Error{Provider: "p", Err: r}
		assert.Equal(t, !errors.Is(r, delivery.ErrUnavailable), e.NotSent(), "%v", r)
	}
}
