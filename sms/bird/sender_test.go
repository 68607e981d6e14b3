package bird_test

import (
	"context"
	"encoding/json"
	"net/http"
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
	key       = "accesskey-SECRET-77aa"
	workspace = "a1405560-c8d3-4b1a-877d-3f449ad95352"
	channel   = "8e0c2a2c-2d2f-4d65-a9a0-0c3f5e1d9b11"
	to        = "+31612345678"
	code      = "493817"
	text      = "Uw inlogcode is 493817."
)

func msg() factor.Message {
	return factor.Message{Kind: factor.KindSMS, To: to, Code: code, Language: "nl", Text: text}
}

func newSender(t *testing.T, srv *providertest.Server, timeout time.Duration) *bird.Sender {
	t.Helper()
	s, err := bird.New(bird.Config{AccessKey: key, WorkspaceID: workspace, ChannelID: channel, BaseURL: srv.URL, Timeout: timeout})
	require.NoError(t, err)
	return s
}

func TestSendRequest(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Status: http.StatusAccepted, Body: `{"id":"m1","status":"accepted"}`})
	require.NoError(t, newSender(t, srv, 0).Send(context.Background(), msg()))

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/workspaces/"+workspace+"/channels/"+channel+"/messages", r.Path)
	assert.Equal(t, "AccessKey "+key, r.Header.Get("Authorization"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Contains(t, r.Header.Get("User-Agent"), "twostep")

	var got any
	require.NoError(t, json.Unmarshal(r.Body, &got))
	want := map[string]any{
		"receiver": map[string]any{"contacts": []any{
			map[string]any{"identifierKey": "phonenumber", "identifierValue": to},
		}},
		"body": map[string]any{"type": "text", "text": map[string]any{"text": text}},
	}
	assert.Equal(t, want, got)
}

func TestSendFailures(t *testing.T) {
	tests := map[string]struct {
		reply      providertest.Reply
		want       error
		status     int
		code       string
		retryable  bool
		retryAfter time.Duration
	}{
		"validation failed": {
			reply: providertest.Reply{Status: 422, Body: `{"code":"InvalidPayload","message":"body.text.text: too long","details":{}}`},
			want:  delivery.ErrRefused, status: 422, code: "InvalidPayload",
		},
		"invalid recipient": {
			reply: providertest.Reply{Status: 422, Body: `{"error":{"type":"validation_error","code":"invalid_recipient","message":"+31612345678 is not a phone number"}}`},
			want:  delivery.ErrInvalidNumber, status: 422, code: "invalid_recipient",
		},
		"bad request": {
			reply: providertest.Reply{Status: 400, Body: `{"code":"InvalidRequest","message":"bad"}`},
			want:  delivery.ErrRefused, status: 400, code: "InvalidRequest",
		},
		"odd code is dropped": {
			reply: providertest.Reply{Status: 400, Body: `{"code":"see +31612345678 for details","message":"bad"}`},
			want:  delivery.ErrRefused, status: 400,
		},
		"bad key":          {reply: providertest.Reply{Status: 401, Body: `{"code":"Unauthorized"}`}, want: delivery.ErrUnauthorized, status: 401, code: "Unauthorized"},
		"no permission":    {reply: providertest.Reply{Status: 403}, want: delivery.ErrUnauthorized, status: 403},
		"unknown channel":  {reply: providertest.Reply{Status: 404, Body: `{"code":"NotFound"}`}, want: delivery.ErrRefused, status: 404, code: "NotFound"},
		"conflict":         {reply: providertest.Reply{Status: 409}, want: delivery.ErrRefused, status: 409},
		"rate limited":     {reply: providertest.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"}}, want: delivery.ErrThrottled, status: 429, retryable: true, retryAfter: time.Second},
		"server error":     {reply: providertest.Reply{Status: 500, Body: `{"code":"InternalError"}`}, want: delivery.ErrUnavailable, status: 500, code: "InternalError", retryable: true},
		"gateway time-out": {reply: providertest.Reply{Status: 504}, want: delivery.ErrUnavailable, status: 504, retryable: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, tt.reply)
			err := newSender(t, srv, 0).Send(context.Background(), msg())

			require.ErrorIs(t, err, tt.want)
			var be *delivery.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, "bird", be.Provider)
			assert.Equal(t, tt.status, be.Status)
			assert.Equal(t, tt.code, be.Code)
			assert.Equal(t, tt.retryable, be.Retryable())
			assert.Equal(t, tt.retryAfter, be.RetryAfter)
			providertest.NoSecrets(t, err, key, code, text, to, "+3161234")
		})
	}
}

func TestSendTimeout(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Hang: true})
	err := newSender(t, srv, 50*time.Millisecond).Send(context.Background(), msg())

	require.ErrorIs(t, err, delivery.ErrUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var be *delivery.Error
	require.ErrorAs(t, err, &be)
	assert.True(t, be.Retryable())
	providertest.NoSecrets(t, err, key, code, text, to, workspace, channel)
}

func TestSendRefusesMessage(t *testing.T) {
	tests := map[string]struct {
		edit func(*factor.Message)
		want error
	}{
		"email message": {func(m *factor.Message) { m.Kind = factor.KindEmail }, delivery.ErrUnsupported},
		"no text":       {func(m *factor.Message) { m.Text = "" }, delivery.ErrUnsupported},
		"not e164":      {func(m *factor.Message) { m.To = "31612345678" }, delivery.ErrInvalidNumber},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusAccepted})
			m := msg()
			tt.edit(&m)
			err := newSender(t, srv, 0).Send(context.Background(), m)
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, srv.Requests())
			providertest.NoSecrets(t, err, key, code, text, "31612345678")
		})
	}
}

func TestNewRefusesConfig(t *testing.T) {
	ok := bird.Config{AccessKey: key, WorkspaceID: workspace, ChannelID: channel}
	tests := map[string]struct {
		edit  func(*bird.Config)
		field string
	}{
		"no key":           {func(c *bird.Config) { c.AccessKey = "" }, "AccessKey"},
		"no workspace":     {func(c *bird.Config) { c.WorkspaceID = "" }, "WorkspaceID"},
		"workspace name":   {func(c *bird.Config) { c.WorkspaceID = "my-workspace" }, "WorkspaceID"},
		"channel not uuid": {func(c *bird.Config) { c.ChannelID = channel + "/../x" }, "ChannelID"},
		"plain http":       {func(c *bird.Config) { c.BaseURL = "http://api.bird.com" }, "BaseURL"},
		"negative timeout": {func(c *bird.Config) { c.Timeout = -1 }, "Timeout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			_, err := bird.New(cfg)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "bird.Config."+tt.field, ce.Field)
			providertest.NoSecrets(t, err, key)
		})
	}
	_, err := bird.New(ok)
	require.NoError(t, err)
}
