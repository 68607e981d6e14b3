package twilio_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/sms/twilio"
)

const (
	sid    = "AC0123456789abcdef0123456789abcdef"
	token  = "tok-SECRET-9f8e7d"
	keySID = "SK0123456789abcdef0123456789abcdef"
	keySec = "keysecret-SECRET-1a2b"
	to     = "+31612345678"
	code   = "493817"
	text   = "Uw inlogcode is 493817. Deel deze code met niemand."
)

func msg() factor.Message {
	return factor.Message{Kind: factor.KindSMS, To: to, Code: code, Language: "nl", Text: text, ChallengeID: "ch1"}
}

func newSender(t *testing.T, srv *providertest.Server, cfg twilio.Config) *twilio.Sender {
	t.Helper()
	cfg.BaseURL = srv.URL
	s, err := twilio.New(cfg)
	require.NoError(t, err)
	return s
}

func TestSendRequest(t *testing.T) {
	tests := map[string]struct {
		cfg      twilio.Config
		user     string
		pass     string
		wantForm map[string]string
	}{
		"auth token, from number": {
			cfg:  twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000"},
			user: sid, pass: token,
			wantForm: map[string]string{"To": to, "Body": text, "From": "+3197010000000"},
		},
		"api key, messaging service": {
			cfg:  twilio.Config{AccountSID: sid, APIKeySID: keySID, APIKeySecret: keySec, MessagingServiceSID: "MG0123"},
			user: keySID, pass: keySec,
			wantForm: map[string]string{"To": to, "Body": text, "MessagingServiceSid": "MG0123"},
		},
		"alphanumeric sender and service": {
			cfg:  twilio.Config{AccountSID: sid, AuthToken: token, From: "Example", MessagingServiceSID: "MG0123"},
			user: sid, pass: token,
			wantForm: map[string]string{"To": to, "Body": text, "From": "Example", "MessagingServiceSid": "MG0123"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"SM1","status":"queued"}`})
			require.NoError(t, newSender(t, srv, tt.cfg).Send(context.Background(), msg()))

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/2010-04-01/Accounts/"+sid+"/Messages.json", r.Path)
			assert.True(t, r.HasBasic, "Basic auth")
			assert.Equal(t, tt.user, r.User)
			assert.Equal(t, tt.pass, r.Pass)
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			assert.Equal(t, "application/json", r.Header.Get("Accept"))
			assert.Contains(t, r.Header.Get("User-Agent"), "twostep")
			got := map[string]string{}
			for k, v := range r.Form {
				require.Len(t, v, 1, k)
				got[k] = v[0]
			}
			assert.Equal(t, tt.wantForm, got)
		})
	}
}

func TestSendFailures(t *testing.T) {
	tests := map[string]struct {
		reply      providertest.Reply
		want       error
		status     int
		code       string
		text       string // a detail the error must say, besides its reason
		retryable  bool
		retryAfter time.Duration
	}{
		"invalid number": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21211,"message":"The 'To' number +31612345678 is not a valid phone number.","status":400}`},
			want:  delivery.ErrInvalidNumber, status: 400, code: "21211",
		},
		"landline": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21614,"message":"'To' number +31612345678 is not a valid mobile number","status":400}`},
			want:  delivery.ErrLandline, status: 400, code: "21614",
		},
		"region not permitted": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21408,"message":"Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +31612345678.","status":400}`},
			want:  delivery.ErrRegionNotPermitted, status: 400, code: "21408",
		},
		"opted out": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}`},
			want:  delivery.ErrOptedOut, status: 400, code: "21610",
		},
		"landline refused": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21635,"message":"'To' number cannot be a landline","status":400}`},
			want:  delivery.ErrLandline, status: 400, code: "21635",
		},
		"short code destination": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21265,"message":"'To' number cannot be a Short Code","status":400}`},
			want:  delivery.ErrInvalidNumber, status: 400, code: "21265",
		},
		"unroutable destination": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21612,"message":"The 'To' phone number: +31612345678, is not currently reachable using the 'From' phone number: +3197010000000 via SMS.","status":400}`},
			want:  delivery.ErrRegionNotPermitted, status: 400, code: "21612", text: "destination not reachable from this sender",
		},
		"trial account, unverified number": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21608,"message":"The number +31612345678 is unverified. Trial accounts cannot send messages to unverified numbers","status":400}`},
			want:  delivery.ErrUnauthorized, status: 400, code: "21608", text: "trial account, destination not verified",
		},
		"from not a number of the account": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21606,"message":"The From phone number +3197010000000 is not a valid, SMS-capable inbound phone number or short code for your account.","status":400}`},
			want:  delivery.ErrSenderInvalid, status: 400, code: "21606",
		},
		"invalid from": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21212,"message":"The 'From' number +3197010000000 is not a valid phone number, shortcode, or alphanumeric sender ID.","status":400}`},
			want:  delivery.ErrSenderInvalid, status: 400, code: "21212",
		},
		"from not twilio's": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21659,"message":"'From' +3197010000000 is not a Twilio phone number or Short Code country mismatch","status":400}`},
			want:  delivery.ErrSenderInvalid, status: 400, code: "21659",
		},
		"from of another account": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21660,"message":"Mismatch between the 'From' number +3197010000000 and the account","status":400}`},
			want:  delivery.ErrSenderInvalid, status: 400, code: "21660",
		},
		"from not sms-capable": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21661,"message":"'From' number +3197010000000 is not SMS-capable","status":400}`},
			want:  delivery.ErrSenderInvalid, status: 400, code: "21661",
		},
		"unknown code": {
			reply: providertest.Reply{Status: 400, Body: `{"code":21617,"message":"The concatenated message body exceeds the 1600 character limit","status":400}`},
			want:  delivery.ErrRefused, status: 400, code: "21617",
		},
		"not json": {
			reply: providertest.Reply{Status: 400, Body: `<html>bad request</html>`},
			want:  delivery.ErrRefused, status: 400,
		},
		"bad credentials": {
			reply: providertest.Reply{Status: 401, Body: `{"code":20003,"message":"Authenticate","status":401}`},
			want:  delivery.ErrUnauthorized, status: 401, code: "20003",
		},
		"rate limited": {
			reply: providertest.Reply{Status: 429, Body: `{"code":20429,"message":"Too Many Requests","status":429}`, Header: map[string]string{"Retry-After": "30"}},
			want:  delivery.ErrThrottled, status: 429, code: "20429", retryable: true, retryAfter: 30 * time.Second,
		},
		"rate limited without body": {
			reply: providertest.Reply{Status: 429},
			want:  delivery.ErrThrottled, status: 429, retryable: true,
		},
		"server error": {
			reply: providertest.Reply{Status: 500, Body: `{"code":20500,"message":"Internal Server Error","status":500}`},
			want:  delivery.ErrUnavailable, status: 500, code: "20500", retryable: true,
		},
		"unavailable": {
			reply: providertest.Reply{Status: 503, Header: map[string]string{"Retry-After": "5"}},
			want:  delivery.ErrUnavailable, status: 503, retryable: true, retryAfter: 5 * time.Second,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, tt.reply)
			s := newSender(t, srv, twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000"})
			err := s.Send(context.Background(), msg())

			require.ErrorIs(t, err, tt.want)
			var te *delivery.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.status, te.Status)
			assert.Equal(t, tt.code, te.Code)
			assert.Equal(t, tt.retryable, te.Retryable())
			assert.Equal(t, tt.retryAfter, te.RetryAfter)
			assert.Contains(t, err.Error(), tt.text)
			providertest.NoSecrets(t, err, token, code, text, to, "+3161234", "+3197010000000")
		})
	}
}

func TestSendTimeout(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Hang: true})
	tests := map[string]struct {
		timeout time.Duration
		ctx     func() (context.Context, context.CancelFunc)
	}{
		"config timeout": {timeout: 50 * time.Millisecond, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}},
		"context deadline": {timeout: time.Minute, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := newSender(t, srv, twilio.Config{AccountSID: sid, APIKeySID: keySID, APIKeySecret: keySec, From: "+3197010000000", Timeout: tt.timeout})
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			err := s.Send(ctx, msg())

			assert.Less(t, time.Since(start), 5*time.Second)
			require.ErrorIs(t, err, delivery.ErrUnavailable)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			var te *delivery.Error
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Retryable())
			providertest.NoSecrets(t, err, keySec, code, text, to, sid)
		})
	}
}

func TestSendUnreachable(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Status: 201})
	s := newSender(t, srv, twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000"})
	srv.Close()

	err := s.Send(context.Background(), msg())
	require.ErrorIs(t, err, delivery.ErrUnavailable)
	var te *delivery.Error
	require.ErrorAs(t, err, &te)
	assert.True(t, te.Retryable())
	providertest.NoSecrets(t, err, token, code, text, to, sid)
}

func TestSendRefusesMessage(t *testing.T) {
	tests := map[string]struct {
		edit func(*factor.Message)
		want error
	}{
		"voice message": {func(m *factor.Message) { m.Kind = factor.KindVoice }, delivery.ErrUnsupported},
		"no text":       {func(m *factor.Message) { m.Text = "" }, delivery.ErrUnsupported},
		"national form": {func(m *factor.Message) { m.To = "0612345678" }, delivery.ErrInvalidNumber},
		"letters":       {func(m *factor.Message) { m.To = "+3161234567a" }, delivery.ErrInvalidNumber},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: 201})
			s := newSender(t, srv, twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000"})
			m := msg()
			tt.edit(&m)
			err := s.Send(context.Background(), m)

			require.ErrorIs(t, err, tt.want)
			var te *delivery.Error
			require.ErrorAs(t, err, &te)
			assert.False(t, te.Retryable())
			assert.Empty(t, srv.Requests(), "nothing may be sent")
			providertest.NoSecrets(t, err, token, code, text, to, "0612345678")
		})
	}
}

func TestNewRefusesConfig(t *testing.T) {
	ok := twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000"}
	tests := map[string]struct {
		edit  func(*twilio.Config)
		field string
	}{
		"no account":         {func(c *twilio.Config) { c.AccountSID = "" }, "AccountSID"},
		"key as account":     {func(c *twilio.Config) { c.AccountSID = keySID }, "AccountSID"},
		"no credentials":     {func(c *twilio.Config) { c.AuthToken = "" }, "AuthToken"},
		"key without secret": {func(c *twilio.Config) { c.APIKeySID = keySID }, "APIKeySecret"},
		"secret without key": {func(c *twilio.Config) { c.APIKeySecret = keySec }, "APIKeySID"},
		"no sender":          {func(c *twilio.Config) { c.From = "" }, "From"},
		"bad service":        {func(c *twilio.Config) { c.MessagingServiceSID = "XX1" }, "MessagingServiceSID"},
		"plain http":         {func(c *twilio.Config) { c.BaseURL = "http://api.example.com" }, "BaseURL"},
		"credentials in url": {func(c *twilio.Config) { c.BaseURL = "https://u:" + token + "@api.example.com" }, "BaseURL"},
		"negative timeout":   {func(c *twilio.Config) { c.Timeout = -time.Second }, "Timeout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			_, err := twilio.New(cfg)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "twilio.Config."+tt.field, ce.Field)
			providertest.NoSecrets(t, err, token, keySec)
		})
	}
	_, err := twilio.New(ok)
	require.NoError(t, err)
}

func TestSendValidityPeriod(t *testing.T) {
	tests := map[string]struct {
		expiresIn time.Duration // from now; 0 leaves ExpiresAt unset
		sentAt    time.Time     // the Manager's send time, if any
		min, max  int           // the ValidityPeriod sent, in seconds; 0 for none
	}{
		"five minutes":           {expiresIn: 5 * time.Minute, min: 290, max: 300},
		"longer than twilio":     {expiresIn: 24 * time.Hour, min: 36000, max: 36000},
		"no expiry, no validity": {},
		// The Manager's clock decides, not the wall clock: a code sent at
		// a simulated time a year ago with 4 minutes to live gets 240 s.
		"manager's send time": {expiresIn: 4*time.Minute - 365*24*time.Hour, sentAt: time.Now().Add(-365 * 24 * time.Hour), min: 239, max: 240},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated})
			m := msg()
			if tt.expiresIn != 0 {
				m.ExpiresAt = time.Now().Add(tt.expiresIn)
			}
			m.SentAt = tt.sentAt
			if !tt.sentAt.IsZero() {
				m.ExpiresAt = tt.sentAt.Add(4 * time.Minute)
			}
			require.NoError(t, newSender(t, srv, twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000"}).Send(context.Background(), m))

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			got := reqs[0].Form.Get("ValidityPeriod")
			if tt.max == 0 {
				assert.NotContains(t, reqs[0].Form, "ValidityPeriod")
				return
			}
			n, err := strconv.Atoi(got)
			require.NoError(t, err, got)
			assert.GreaterOrEqual(t, n, tt.min)
			assert.LessOrEqual(t, n, tt.max)
		})
	}
}

func TestSendRefusesExpiredCode(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated})
	m := msg()
	m.ExpiresAt = time.Now().Add(-time.Second)
	err := newSender(t, srv, twilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000"}).Send(context.Background(), m)

	require.ErrorIs(t, err, delivery.ErrUnsupported)
	assert.Empty(t, srv.Requests(), "nothing is sent")
	providertest.NoSecrets(t, err, token, code, text, to)
}
