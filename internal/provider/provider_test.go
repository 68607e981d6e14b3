package provider_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		header string
		want   time.Duration
	}{
		"absent":        {"", 0},
		"seconds":       {"120", 2 * time.Minute},
		"negative":      {"-5", 0},
		"http date":     {now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		"past date":     {now.Add(-time.Hour).Format(http.TimeFormat), 0},
		"garbage":       {"soon", 0},
		"fractional":    {"1.5", 0},
		"large seconds": {"86400", 24 * time.Hour},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.want, provider.RetryAfter(tt.header, now))
		})
	}
}

func TestByStatus(t *testing.T) {
	tests := map[int]error{
		400: delivery.ErrRefused, 401: delivery.ErrUnauthorized, 403: delivery.ErrUnauthorized,
		404: delivery.ErrRefused, 408: delivery.ErrUnavailable, 422: delivery.ErrRefused,
		429: delivery.ErrThrottled, 500: delivery.ErrUnavailable, 503: delivery.ErrUnavailable,
	}
	for status, want := range tests {
		assert.ErrorIs(t, provider.ByStatus(status), want, "HTTP %d", status)
	}
}

func TestE164(t *testing.T) {
	tests := map[string]bool{
		"+31612345678": true, "+18005551212": true, "+2901234": true, "+123456789012345": true,
		"": false, "+": false, "0612345678": false, "31612345678": false, "+0612345678": false,
		"+1234567890123456": false, "+31 6 12345678": false, "+3161234567x": false, "+123456": false,
	}
	for in, want := range tests {
		assert.Equal(t, want, provider.E164(in), in)
	}
}

func TestBaseURL(t *testing.T) {
	tests := map[string]struct {
		raw, want string
		ok        bool
	}{
		"default":        {"", "https://api.example.com", true},
		"trailing slash": {"https://eu.example.com/", "https://eu.example.com", true},
		"loopback http":  {"http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
		"localhost http": {"http://localhost:8080", "http://localhost:8080", true},
		"ipv6 loopback":  {"http://[::1]:8080", "http://[::1]:8080", true},
		"remote http":    {"http://api.example.com", "", false},
		"relative":       {"/api", "", false},
		"credentials":    {"https://u:p@api.example.com", "", false},
		"query":          {"https://api.example.com?x=1", "", false},
		"other scheme":   {"ftp://api.example.com", "", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := provider.BaseURL("X.BaseURL", tt.raw, "https://api.example.com")
			if !tt.ok {
				require.ErrorIs(t, err, factor.ErrInvalidConfig)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
