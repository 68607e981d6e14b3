package bird_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/sms/bird"
)

const (
	apiKey = "bk_eu1_SECRET-platform-key-91c2"
	sender = "+3197010000001"
)

func platformMsg() factor.Message {
	m := msg()
	m.ChallengeID, m.SentAt = "c7q4m2x9", time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	return m
}

func newPlatform(t *testing.T, srv *providertest.Server, timeout time.Duration) *bird.Sender {
	t.Helper()
	s, err := bird.New(bird.Config{APIKey: apiKey, From: sender, BaseURL: srv.URL, Timeout: timeout})
	require.NoError(t, err)
	return s
}

func TestPlatformRequest(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Status: http.StatusAccepted, Body: `{"id":"sms_01","status":"accepted"}`})
	require.NoError(t, newPlatform(t, srv, 0).Send(context.Background(), platformMsg()))

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v1/sms/messages", r.Path)
	assert.Equal(t, "Bearer "+apiKey, r.Header.Get("Authorization"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Contains(t, r.Header.Get("User-Agent"), "twostep")
	key := r.Header.Get("Idempotency-Key")
	assert.Regexp(t, `^twostep-code/[0-9a-f]{32}$`, key)
	assert.NotContains(t, key, "c7q4m2x9", "the challenge ID is not disclosed")

	var got map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &got))
	assert.Equal(t, map[string]any{"to": to, "from": sender, "text": text, "category": "authentication"}, got)
}

// recordingTransport answers every request itself, so that the default
// regional host can be checked without a network.
type recordingTransport struct{ urls []string }

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.urls = append(rt.urls, r.URL.String())
	return &http.Response{StatusCode: http.StatusAccepted, Body: io.NopCloser(strings.NewReader(`{}`)), Header: http.Header{}, Request: r}, nil
}

func TestPlatformRegionalHost(t *testing.T) {
	tests := map[string]struct{ key, want string }{
		"europe":        {"bk_eu1_abc", "https://eu1.platform.bird.com/v1/sms/messages"},
		"united states": {"bk_us1_abc", "https://us1.platform.bird.com/v1/sms/messages"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rt := &recordingTransport{}
			s, err := bird.New(bird.Config{APIKey: tt.key, From: sender, HTTPClient: &http.Client{Transport: rt}})
			require.NoError(t, err)
			require.NoError(t, s.Send(context.Background(), platformMsg()))
			assert.Equal(t, []string{tt.want}, rt.urls)
		})
	}
}

func TestPlatformIdempotentRetry(t *testing.T) {
	tests := map[string]providertest.Reply{
		"timeout":     {Hang: true},
		"server down": {Status: http.StatusServiceUnavailable},
		"in progress": {Status: http.StatusConflict, Body: `{"error":{"type":"conflict_error","code":"E01004","name":"request_in_progress"}}`},
	}
	for name, first := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.NewSequence(t, first, providertest.Reply{Status: http.StatusAccepted, Body: `{"id":"sms_01"}`})
			require.NoError(t, newPlatform(t, srv, 100*time.Millisecond).Send(context.Background(), platformMsg()))

			reqs := srv.Requests()
			require.Len(t, reqs, 2, "one retry")
			assert.Equal(t, reqs[0].Header.Get("Idempotency-Key"), reqs[1].Header.Get("Idempotency-Key"))
			assert.Equal(t, reqs[0].Body, reqs[1].Body)
		})
	}
}

func TestPlatformNoRetryAfterRefusal(t *testing.T) {
	srv := providertest.NewSequence(t, providertest.Reply{Status: http.StatusUnprocessableEntity, Body: `{"error":{"type":"validation_error","code":"E12001","name":"invalid_recipient","param":"to"}}`},
		providertest.Reply{Status: http.StatusAccepted})
	err := newPlatform(t, srv, 0).Send(context.Background(), platformMsg())
	require.ErrorIs(t, err, delivery.ErrInvalidNumber)
	assert.Len(t, srv.Requests(), 1)
}

func TestPlatformIdempotencyKeys(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Status: http.StatusAccepted})
	s := newPlatform(t, srv, 0)
	m := platformMsg()
	require.NoError(t, s.Send(context.Background(), m))
	require.NoError(t, s.Send(context.Background(), m)) // the host retries the same send
	resend := m
	resend.SentAt = m.SentAt.Add(30 * time.Second)
	require.NoError(t, s.Send(context.Background(), resend))
	bare := msg()
	require.NoError(t, s.Send(context.Background(), bare))
	require.NoError(t, s.Send(context.Background(), bare))

	var keys []string
	for _, r := range srv.Requests() {
		keys = append(keys, r.Header.Get("Idempotency-Key"))
	}
	require.Len(t, keys, 5)
	assert.Equal(t, keys[0], keys[1], "the same send of the same code")
	assert.NotEqual(t, keys[0], keys[2], "a resend is a new message")
	assert.NotEqual(t, keys[3], keys[4], "messages without a challenge get random keys")
}

func TestPlatformFailures(t *testing.T) {
	tests := map[string]struct {
		reply     providertest.Reply
		want      error
		code      string
		retryable bool
	}{
		"invalid recipient": {reply: providertest.Reply{Status: 422, Body: `{"error":{"type":"validation_error","code":"E12001","name":"invalid_recipient","message":"+31612345678 is not valid","param":"to","details":[{"param":"to","message":"+31612345678"}]}}`},
			want: delivery.ErrInvalidNumber, code: "E12001"},
		"no eligible sender": {reply: providertest.Reply{Status: 422, Body: `{"error":{"type":"validation_error","code":"E12010","name":"SMSNoEligibleSender","message":"no sender"}}`},
			want: delivery.ErrSenderInvalid, code: "E12010"},
		"sender not owned": {reply: providertest.Reply{Status: 422, Body: `{"error":{"type":"validation_error","name":"sender_not_owned","param":"from"}}`},
			want: delivery.ErrSenderInvalid, code: "sender_not_owned"},
		"destination not enabled": {reply: providertest.Reply{Status: 422, Body: `{"error":{"type":"validation_error","code":"E12020","name":"SMSDestinationNotEnabled","message":"Syria not enabled"}}`},
			want: delivery.ErrRegionNotPermitted, code: "E12020"},
		"bad key":     {reply: providertest.Reply{Status: 401, Body: `{"error":{"type":"auth_error","code":"E00001","name":"invalid_api_key"}}`}, want: delivery.ErrUnauthorized, code: "E00001"},
		"no scope":    {reply: providertest.Reply{Status: 403, Body: `{"error":{"type":"permission_error","code":"E00003","name":"missing_scope"}}`}, want: delivery.ErrUnauthorized, code: "E00003"},
		"no balance":  {reply: providertest.Reply{Status: 402, Body: `{"error":{"type":"billing_error","code":"E00010","name":"insufficient_balance"}}`}, want: delivery.ErrUnauthorized, code: "E00010"},
		"rate limit":  {reply: providertest.Reply{Status: 429, Body: `{"error":{"type":"rate_limit_error","code":"E01001"}}`, Header: map[string]string{"Retry-After": "3"}}, want: delivery.ErrThrottled, code: "E01001", retryable: true},
		"key reuse":   {reply: providertest.Reply{Status: 409, Body: `{"error":{"type":"conflict_error","code":"E01005","name":"idempotency_key_reuse"}}`}, want: delivery.ErrRefused, code: "E01005"},
		"other":       {reply: providertest.Reply{Status: 400, Body: `{"error":{"type":"bad_request_error","code":"E00400"}}`}, want: delivery.ErrRefused, code: "E00400"},
		"proxy error": {reply: providertest.Reply{Status: 502, Body: `<html>bad gateway</html>`}, want: delivery.ErrUnavailable, retryable: true},
		"internal":    {reply: providertest.Reply{Status: 500, Body: `{"error":{"type":"internal_error","code":"E99999"}}`}, want: delivery.ErrUnavailable, code: "E99999", retryable: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, tt.reply)
			err := newPlatform(t, srv, 0).Send(context.Background(), platformMsg())

			require.ErrorIs(t, err, tt.want)
			var de *delivery.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.reply.Status, de.Status)
			assert.Equal(t, tt.code, de.Code)
			assert.Equal(t, tt.retryable, de.Retryable())
			providertest.NoSecrets(t, err, apiKey, code, text, to, "+3161234", sender)
		})
	}
}

func TestPlatformConfig(t *testing.T) {
	tests := map[string]struct {
		cfg   bird.Config
		field string
	}{
		"both apis":          {bird.Config{APIKey: apiKey, From: sender, AccessKey: key}, "bird.Config.APIKey"},
		"platform, no from":  {bird.Config{APIKey: apiKey}, "bird.Config.From"},
		"key without region": {bird.Config{APIKey: "SECRET-plain-key", From: sender}, "bird.Config.APIKey"},
		"odd region":         {bird.Config{APIKey: "bk_europe_abc", From: sender}, "bird.Config.APIKey"},
		"no key at all":      {bird.Config{From: sender}, "bird.Config.AccessKey"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := bird.New(tt.cfg)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
			providertest.NoSecrets(t, err, apiKey, key, "SECRET")
		})
	}
	// A key without a region works with an explicit BaseURL.
	_, err := bird.New(bird.Config{APIKey: "plain-key", From: sender, BaseURL: "https://eu1.platform.bird.com"})
	require.NoError(t, err)
}
