package delivery_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email/smtp"
	"github.com/twostep/twostep/email/smtp/smtptest"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/sms/bird"
	smstwilio "github.com/twostep/twostep/sms/twilio"
	voicetwilio "github.com/twostep/twostep/voice/twilio"
)

// reasons are all the sentinels of package delivery.
var reasons = []error{
	delivery.ErrInvalidNumber, delivery.ErrLandline, delivery.ErrInvalidAddress, delivery.ErrUnregistered,
	delivery.ErrRegionNotPermitted, delivery.ErrOptedOut, delivery.ErrThrottled, delivery.ErrUnauthorized,
	delivery.ErrSenderInvalid, delivery.ErrRefused, delivery.ErrUnavailable, delivery.ErrUnsupported,
}

const (
	sid      = "AC0123456789abcdef0123456789abcdef"
	token    = "tok-SECRET-9f8e7d"
	key      = "accesskey-SECRET-77aa"
	password = "pw-SECRET-5c4b"
	mobile   = "+31612345678"
	rcpt     = "anna@example.org"
	code     = "493817"
)

// reply is a provider's HTTP answer, or a provider that cannot be reached.
type reply struct {
	providertest.Reply
	down bool
}

func answer(status int, body string) reply {
	return reply{Reply: providertest.Reply{Status: status, Body: body}}
}

var unreachable = reply{down: true}

// stand starts the provider stand-in for r.
func stand(t *testing.T, r reply) string {
	srv := providertest.New(t, r.Reply)
	if r.down {
		srv.Close()
	}
	return srv.URL
}

func smsMessage() factor.Message {
	return factor.Message{Kind: factor.KindSMS, To: mobile, Code: code, Text: "Your code is " + code + "."}
}

func voiceMessage() factor.Message {
	return factor.Message{Kind: factor.KindVoice, To: mobile, Code: code, Text: "Your code is 4, 9, 3, 8, 1, 7."}
}

func emailMessage() factor.Message {
	return factor.Message{Kind: factor.KindEmail, To: rcpt, Code: code, Subject: "Your code", Text: "Your code is " + code + "."}
}

// twilioSMS sends m through sms/twilio to a stand-in answering r.
func twilioSMS(r reply, edit func(*factor.Message)) func(*testing.T) error {
	return func(t *testing.T) error {
		s, err := smstwilio.New(smstwilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000", BaseURL: stand(t, r)})
		require.NoError(t, err)
		m := smsMessage()
		if edit != nil {
			edit(&m)
		}
		return s.Send(context.Background(), m)
	}
}

// twilioVoice places a call through voice/twilio to a stand-in answering r.
func twilioVoice(r reply, edit func(*factor.Message)) func(*testing.T) error {
	return func(t *testing.T) error {
		s, err := voicetwilio.New(voicetwilio.Config{AccountSID: sid, AuthToken: token, From: "+3197010000000", BaseURL: stand(t, r)})
		require.NoError(t, err)
		m := voiceMessage()
		if edit != nil {
			edit(&m)
		}
		return s.Send(context.Background(), m)
	}
}

// birdSMS sends m through sms/bird to a stand-in answering r.
func birdSMS(r reply, edit func(*factor.Message)) func(*testing.T) error {
	return func(t *testing.T) error {
		s, err := bird.New(bird.Config{AccessKey: key, WorkspaceID: "a1405560-c8d3-4b1a-877d-3f449ad95352",
			ChannelID: "8e0c2a2c-2d2f-4d65-a9a0-0c3f5e1d9b11", BaseURL: stand(t, r)})
		require.NoError(t, err)
		m := smsMessage()
		if edit != nil {
			edit(&m)
		}
		return s.Send(context.Background(), m)
	}
}

// birdPlatform sends m through sms/bird's platform API to a stand-in
// answering r.
func birdPlatform(r reply, edit func(*factor.Message)) func(*testing.T) error {
	return func(t *testing.T) error {
		s, err := bird.New(bird.Config{APIKey: "bk_eu1_" + key, From: "+3197010000000", BaseURL: stand(t, r), Timeout: 200 * time.Millisecond})
		require.NoError(t, err)
		m := smsMessage()
		if edit != nil {
			edit(&m)
		}
		return s.Send(context.Background(), m)
	}
}

// mail sends m through email/smtp to a real SMTP server started with o;
// cfg edits the sender's Config, edit the message.
func mail(o smtptest.Options, cfg func(*smtp.Config), edit func(*factor.Message)) func(*testing.T) error {
	return func(t *testing.T) error {
		srv := smtptest.New(t, o)
		c := smtp.Config{Host: "127.0.0.1", Port: srv.Port, Username: "mailer", Password: password,
			From: "no-reply@example.com", TLSConfig: &tls.Config{RootCAs: srv.RootCAs}, Timeout: 5 * time.Second}
		if cfg != nil {
			cfg(&c)
		}
		s, err := smtp.New(c)
		require.NoError(t, err)
		m := emailMessage()
		if edit != nil {
			edit(&m)
		}
		err = s.Send(context.Background(), m)
		assert.Empty(t, srv.Mails())
		return err
	}
}

// closedPort is a local port nobody listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

func rcptErr(code int, enhanced gosmtp.EnhancedCode) error {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: "no thanks, " + rcpt}
}

// failure drives one sender into one failure; want is the reason its
// error must wrap.
type failure struct {
	send func(*testing.T) error
	want error
}

// failures are the failures each sender of twostep can produce.
func failures() map[string]failure {
	login := smtptest.Options{TLS: true, User: "mailer", Pass: password}
	notE164 := func(m *factor.Message) { m.To = "0612345678" }
	return map[string]failure{
		"sms/twilio: not E.164":        {twilioSMS(answer(201, ""), notE164), delivery.ErrInvalidNumber},
		"sms/twilio: 21211":            {twilioSMS(answer(400, `{"code":21211}`), nil), delivery.ErrInvalidNumber},
		"sms/twilio: 21614":            {twilioSMS(answer(400, `{"code":21614}`), nil), delivery.ErrLandline},
		"sms/twilio: 21408":            {twilioSMS(answer(400, `{"code":21408}`), nil), delivery.ErrRegionNotPermitted},
		"sms/twilio: 21610":            {twilioSMS(answer(400, `{"code":21610}`), nil), delivery.ErrOptedOut},
		"sms/twilio: 429":              {twilioSMS(answer(429, `{"code":20429}`), nil), delivery.ErrThrottled},
		"sms/twilio: 401":              {twilioSMS(answer(401, `{"code":20003}`), nil), delivery.ErrUnauthorized},
		"sms/twilio: 21612":            {twilioSMS(answer(400, `{"code":21612}`), nil), delivery.ErrRegionNotPermitted},
		"sms/twilio: 21608":            {twilioSMS(answer(400, `{"code":21608}`), nil), delivery.ErrUnauthorized},
		"sms/twilio: 21606":            {twilioSMS(answer(400, `{"code":21606}`), nil), delivery.ErrSenderInvalid},
		"sms/twilio: other refusal":    {twilioSMS(answer(400, `{"code":21617}`), nil), delivery.ErrRefused},
		"sms/twilio: 500":              {twilioSMS(answer(500, ""), nil), delivery.ErrUnavailable},
		"sms/twilio: unreachable":      {twilioSMS(unreachable, nil), delivery.ErrUnavailable},
		"sms/twilio: voice message":    {twilioSMS(answer(201, ""), func(m *factor.Message) { m.Kind = factor.KindVoice }), delivery.ErrUnsupported},
		"voice/twilio: not E.164":      {twilioVoice(answer(201, ""), notE164), delivery.ErrInvalidNumber},
		"voice/twilio: 21217":          {twilioVoice(answer(400, `{"code":21217}`), nil), delivery.ErrInvalidNumber},
		"voice/twilio: 21215":          {twilioVoice(answer(400, `{"code":21215}`), nil), delivery.ErrRegionNotPermitted},
		"voice/twilio: 429":            {twilioVoice(answer(429, ""), nil), delivery.ErrThrottled},
		"voice/twilio: 21210":          {twilioVoice(answer(400, `{"code":21210}`), nil), delivery.ErrSenderInvalid},
		"voice/twilio: 403":            {twilioVoice(answer(403, ""), nil), delivery.ErrUnauthorized},
		"voice/twilio: other refusal":  {twilioVoice(answer(400, `{"code":13223}`), nil), delivery.ErrRefused},
		"voice/twilio: 503":            {twilioVoice(answer(503, ""), nil), delivery.ErrUnavailable},
		"voice/twilio: unreachable":    {twilioVoice(unreachable, nil), delivery.ErrUnavailable},
		"voice/twilio: letters":        {twilioVoice(answer(201, ""), func(m *factor.Message) { m.Code = "12ab" }), delivery.ErrUnsupported},
		"voice/twilio: keypad, no url": {twilioVoice(answer(201, ""), func(m *factor.Message) { m.Keypad, m.ChallengeID = true, "c1" }), delivery.ErrUnsupported},
		"sms/bird: not E.164":          {birdSMS(answer(202, ""), notE164), delivery.ErrInvalidNumber},
		"sms/bird: invalid recipient":  {birdSMS(answer(422, `{"error":{"code":"invalid_recipient"}}`), nil), delivery.ErrInvalidNumber},
		"sms/bird: 429":                {birdSMS(answer(429, ""), nil), delivery.ErrThrottled},
		"sms/bird: 401":                {birdSMS(answer(401, ""), nil), delivery.ErrUnauthorized},
		"sms/bird: 404":                {birdSMS(answer(404, `{"code":"NotFound"}`), nil), delivery.ErrRefused},
		"sms/bird: 504":                {birdSMS(answer(504, ""), nil), delivery.ErrUnavailable},
		"sms/bird: unreachable":        {birdSMS(unreachable, nil), delivery.ErrUnavailable},
		"sms/bird: email message":      {birdSMS(answer(202, ""), func(m *factor.Message) { m.Kind = factor.KindEmail }), delivery.ErrUnsupported},
		"sms/bird platform: recipient": {birdPlatform(answer(422, `{"error":{"type":"validation_error","code":"E12001","param":"to"}}`), nil), delivery.ErrInvalidNumber},
		"sms/bird platform: sender":    {birdPlatform(answer(422, `{"error":{"type":"validation_error","name":"SMSNoEligibleSender"}}`), nil), delivery.ErrSenderInvalid},
		"sms/bird platform: region":    {birdPlatform(answer(422, `{"error":{"type":"validation_error","code":"E12020","name":"SMSDestinationNotEnabled"}}`), nil), delivery.ErrRegionNotPermitted},
		"sms/bird platform: 503":       {birdPlatform(answer(503, ""), nil), delivery.ErrUnavailable},
		"email/smtp: bad address":      {mail(login, nil, func(m *factor.Message) { m.To = "anna at example.org" }), delivery.ErrInvalidAddress},
		"email/smtp: 550 5.1.1": {mail(smtptest.Options{TLS: true, User: "mailer", Pass: password,
			RcptErr: rcptErr(550, gosmtp.EnhancedCode{5, 1, 1})}, nil, nil), delivery.ErrInvalidAddress},
		"email/smtp: 535":                   {mail(smtptest.Options{TLS: true, User: "mailer", Pass: "other"}, nil, nil), delivery.ErrUnauthorized},
		"email/smtp: 530":                   {mail(login, func(c *smtp.Config) { c.Username, c.Password = "", "" }, nil), delivery.ErrUnauthorized},
		"email/smtp: no STARTTLS":           {mail(smtptest.Options{InsecureAuth: true, User: "mailer", Pass: password}, nil, nil), delivery.ErrRefused},
		"email/smtp: untrusted certificate": {mail(login, func(c *smtp.Config) { c.TLSConfig = nil }, nil), delivery.ErrRefused},
		"email/smtp: 550 5.7.1": {mail(smtptest.Options{TLS: true, User: "mailer", Pass: password,
			RcptErr: rcptErr(550, gosmtp.EnhancedCode{5, 7, 1})}, nil, nil), delivery.ErrRefused},
		"email/smtp: 451": {mail(smtptest.Options{TLS: true, User: "mailer", Pass: password,
			RcptErr: rcptErr(451, gosmtp.EnhancedCode{4, 3, 0})}, nil, nil), delivery.ErrUnavailable},
		"email/smtp: unreachable": {func(t *testing.T) error {
			return mail(login, func(c *smtp.Config) { c.Port = closedPort(t) }, nil)(t)
		}, delivery.ErrUnavailable},
		"email/smtp: sms message": {mail(login, nil, func(m *factor.Message) { m.Kind = factor.KindSMS }), delivery.ErrUnsupported},
	}
}

// TestSendersWrapReasons drives each sender of twostep into each failure
// it can produce and checks that the error is a *delivery.Error wrapping
// exactly the one reason that says so.
func TestSendersWrapReasons(t *testing.T) {
	for name, tt := range failures() {
		t.Run(name, func(t *testing.T) {
			err := tt.send(t)

			require.Error(t, err)
			for _, r := range reasons {
				assert.Equal(t, r == tt.want, errors.Is(err, r), "errors.Is(%q, %v)", err, r)
			}
			var de *delivery.Error
			require.ErrorAs(t, err, &de)
			retry := tt.want == delivery.ErrThrottled || tt.want == delivery.ErrUnavailable
			assert.Equal(t, retry, de.Retryable())
			providertest.NoSecrets(t, err, token, key, password, code, mobile, "0612345678", rcpt)
		})
	}
}

// TestEveryReasonIsProduced keeps the failures complete: every reason but
// ErrUnregistered, which only push senders produce, comes from a sender.
func TestEveryReasonIsProduced(t *testing.T) {
	produced := map[error]bool{}
	for _, f := range failures() {
		produced[f.want] = true
	}
	for _, r := range reasons {
		assert.Equal(t, r != delivery.ErrUnregistered, produced[r], "%v", r)
	}
}
