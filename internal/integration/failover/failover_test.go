package failover_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/factor/failover"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/sms/bird"
	"github.com/twostep/twostep/sms/twilio"
)

// The errors of every sender of twostep tell failover whether to move on.
var _ failover.Retryable = (*delivery.Error)(nil)

// flaky is an error that says whether it is retryable.
type flaky struct{ retry bool }

func (e flaky) Error() string   { return "flaky" }
func (e flaky) Retryable() bool { return e.retry }

var (
	errTransient = flaky{retry: true}
	errPermanent = flaky{retry: false}
	errPlain     = errors.New("plain failure")
)

// recorder is a sender that returns a fixed error and counts its calls.
type recorder struct {
	err   error
	calls int
}

func (r *recorder) Send(context.Context, factor.Message) error {
	r.calls++
	return r.err
}

func TestSend(t *testing.T) {
	tests := map[string]struct {
		errs      []error
		wantCalls []int
		wantErr   error
		retryable bool
	}{
		"first delivers":              {errs: []error{nil, nil}, wantCalls: []int{1, 0}},
		"transient, then delivered":   {errs: []error{errTransient, nil}, wantCalls: []int{1, 1}},
		"two transient, then":         {errs: []error{errTransient, errTransient, nil}, wantCalls: []int{1, 1, 1}},
		"permanent stops":             {errs: []error{errPermanent, nil}, wantCalls: []int{1, 0}, wantErr: errPermanent},
		"unknown error stops":         {errs: []error{errPlain, nil}, wantCalls: []int{1, 0}, wantErr: errPlain},
		"transient, then permanent":   {errs: []error{errTransient, errPermanent, nil}, wantCalls: []int{1, 1, 0}, wantErr: errPermanent},
		"all transient":               {errs: []error{errTransient, errTransient}, wantCalls: []int{1, 1}, wantErr: errTransient, retryable: true},
		"wrapped transient moves on":  {errs: []error{errors.Join(errPlain, errTransient), nil}, wantCalls: []int{1, 1}},
		"delivery error is kept once": {errs: []error{errors.Join(factor.ErrDelivery, errPlain)}, wantCalls: []int{1}, wantErr: errPlain},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var s failover.Sender
			recs := make([]*recorder, len(tt.errs))
			for i, err := range tt.errs {
				recs[i] = &recorder{err: err}
				s.Senders = append(s.Senders, recs[i])
			}
			err := s.Send(context.Background(), factor.Message{})

			for i, r := range recs {
				assert.Equal(t, tt.wantCalls[i], r.calls, "sender %d", i)
			}
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, factor.ErrDelivery)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.retryable, failover.IsRetryable(err))
		})
	}
}

func TestSendStopsWhenContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	first := &recorder{err: errTransient}
	second := &recorder{}
	s := failover.Sender{Senders: []factor.Sender{
		factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
			cancel()
			return first.Send(ctx, m)
		}),
		second,
	}}
	err := s.Send(ctx, factor.Message{})
	require.ErrorIs(t, err, factor.ErrDelivery)
	assert.Equal(t, 0, second.calls)
}

func TestSendWithoutSenders(t *testing.T) {
	for name, s := range map[string]failover.Sender{
		"none":       {},
		"nil sender": {Senders: []factor.Sender{nil}},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, s.Send(context.Background(), factor.Message{}), factor.ErrDelivery)
		})
	}
}

func TestTwilioThenBird(t *testing.T) {
	const token, key, code, text, to = "tok-SECRET", "key-SECRET", "493817", "Code 493817", "+31612345678"
	tests := map[string]struct {
		twilio   providertest.Reply
		birdSent int
		wantErr  error
	}{
		"twilio down":             {twilio: providertest.Reply{Status: http.StatusServiceUnavailable}, birdSent: 1},
		"twilio rate limited":     {twilio: providertest.Reply{Status: http.StatusTooManyRequests, Body: `{"code":20429}`}, birdSent: 1},
		"twilio delivers":         {twilio: providertest.Reply{Status: http.StatusCreated}, birdSent: 0},
		"invalid number, no bird": {twilio: providertest.Reply{Status: 400, Body: `{"code":21211}`}, birdSent: 0, wantErr: delivery.ErrInvalidNumber},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			tw := providertest.New(t, tt.twilio)
			bd := providertest.New(t, providertest.Reply{Status: http.StatusAccepted})
			primary, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: token, From: "+3197010000000", BaseURL: tw.URL})
			require.NoError(t, err)
			backup, err := bird.New(bird.Config{AccessKey: key, WorkspaceID: "a1405560-c8d3-4b1a-877d-3f449ad95352",
				ChannelID: "8e0c2a2c-2d2f-4d65-a9a0-0c3f5e1d9b11", BaseURL: bd.URL})
			require.NoError(t, err)
			s := failover.Sender{Senders: []factor.Sender{primary, backup}}
			err = s.Send(context.Background(), factor.Message{Kind: factor.KindSMS, To: to, Code: code, Text: text})

			assert.Len(t, bd.Requests(), tt.birdSent)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, factor.ErrDelivery)
			require.ErrorIs(t, err, tt.wantErr)
			providertest.NoSecrets(t, err, token, key, code, text, to)
		})
	}
}
