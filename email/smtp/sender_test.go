package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email/smtp"
	"github.com/twostep/twostep/email/smtp/smtptest"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
)

const (
	user     = "mailer"
	password = "pw-SECRET-5c4b"
	rcpt     = "anna@example.org"
	code     = "493817"
	subject  = "Uw inlogcode"
	text     = "Uw inlogcode is 493817."
	html     = "<p>Uw inlogcode is <b>493817</b>.</p>"
)

func emailMsg() factor.Message {
	return factor.Message{Kind: factor.KindEmail, To: rcpt, Code: code, Language: "nl", Subject: subject, Text: text, HTML: html}
}

// secrets are what no error may show.
var secrets = []string{password, code, text, html, rcpt}

func config(s *smtptest.Server) smtp.Config {
	return smtp.Config{
		Host: "127.0.0.1", Port: s.Port, Username: user, Password: password,
		From: "Twostep <no-reply@example.com>", ReplyTo: "support@example.com",
		TLSConfig: &tls.Config{RootCAs: s.RootCAs}, Timeout: 5 * time.Second,
	}
}

// part is one decoded MIME part.
type part struct {
	contentType string
	body        string
}

// parse reads a received mail into its headers and its alternatives.
func parse(t *testing.T, data []byte) (netmail.Header, []part) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	r := multipart.NewReader(m.Body, params["boundary"])
	var parts []part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, err := io.ReadAll(p) // quoted-printable is decoded by NextPart
		require.NoError(t, err)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts = append(parts, part{contentType: ct, body: strings.TrimSpace(string(b))})
	}
	return m.Header, parts
}

func TestSendDelivers(t *testing.T) {
	tests := map[string]struct {
		opts smtptest.Options
		cfg  func(smtp.Config) smtp.Config
		tls  bool
		user string
	}{
		"starttls, the default": {opts: smtptest.Options{TLS: true, User: user, Pass: password},
			cfg: func(c smtp.Config) smtp.Config { return c }, tls: true, user: user},
		"implicit tls": {opts: smtptest.Options{Implicit: true, User: user, Pass: password},
			cfg: func(c smtp.Config) smtp.Config { c.TLS = smtp.ImplicitTLS; return c }, tls: true, user: user},
		"no tls, no login, for development": {opts: smtptest.Options{},
			cfg: func(c smtp.Config) smtp.Config { c.TLS, c.Username, c.Password = smtp.NoTLS, "", ""; return c }},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.New(t, tt.opts)
			s, err := smtp.New(tt.cfg(config(srv)))
			require.NoError(t, err)
			require.NoError(t, s.Send(context.Background(), emailMsg()))

			mails := srv.Mails()
			require.Len(t, mails, 1)
			got := mails[0]
			assert.Equal(t, tt.tls, got.TLS, "encrypted")
			assert.Equal(t, tt.user, got.Authed)
			assert.Equal(t, "no-reply@example.com", got.From)
			assert.Equal(t, []string{rcpt}, got.To)

			h, parts := parse(t, got.Data)
			assert.Equal(t, `"Twostep" <no-reply@example.com>`, h.Get("From"))
			assert.Equal(t, "<"+rcpt+">", h.Get("To"))
			assert.Equal(t, "<support@example.com>", h.Get("Reply-To"))
			assert.Equal(t, subject, h.Get("Subject"))
			assert.Equal(t, "nl", h.Get("Content-Language"))
			assert.Equal(t, "auto-generated", h.Get("Auto-Submitted"))
			assert.Regexp(t, `^<[A-Z2-7]{26}@example\.com>$`, h.Get("Message-ID"), "random, on the From domain")
			assert.Empty(t, h.Get("X-Mailer"), "no mailer banner")
			assert.Empty(t, h.Get("User-Agent"), "no mailer banner")
			assert.NotEmpty(t, h.Get("Date"))
			require.Len(t, parts, 2)
			assert.Equal(t, part{"text/plain", text}, parts[0])
			assert.Equal(t, part{"text/html", html}, parts[1])
			assert.Contains(t, parts[0].body, code)
		})
	}
}

func TestSendRefusesServerWithoutStartTLS(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{InsecureAuth: true, User: user, Pass: password})
	s, err := smtp.New(config(srv))
	require.NoError(t, err)
	err = s.Send(context.Background(), emailMsg())

	require.ErrorIs(t, err, delivery.ErrRefused)
	assert.Contains(t, err.Error(), "STARTTLS")
	var se *delivery.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "smtp", se.Provider)
	assert.False(t, se.Retryable())
	assert.False(t, srv.AuthSeen(), "the password must not be sent in plain text")
	assert.Empty(t, srv.Mails())
	noSecrets(t, err)
}

func TestSendFailures(t *testing.T) {
	tests := map[string]struct {
		opts      smtptest.Options
		cfg       func(*smtp.Config)
		want      error
		code      string
		retryable bool
	}{
		"untrusted certificate": {
			opts: smtptest.Options{TLS: true}, cfg: func(c *smtp.Config) { c.TLSConfig = nil; c.Username = "" },
			want: delivery.ErrRefused,
		},
		"wrong password": {
			opts: smtptest.Options{TLS: true, User: user, Pass: "other"},
			want: delivery.ErrUnauthorized, code: "535",
		},
		"no login where one is required": {
			opts: smtptest.Options{TLS: true, User: user, Pass: password}, cfg: func(c *smtp.Config) { c.Username, c.Password = "", "" },
			want: delivery.ErrUnauthorized, code: "530",
		},
		"recipient unknown": {
			opts: smtptest.Options{TLS: true, User: user, Pass: password, RcptErr: &gosmtp.SMTPError{
				Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "<" + rcpt + ">: mailbox unknown"}},
			want: delivery.ErrInvalidAddress, code: "550",
		},
		"relaying denied": {
			opts: smtptest.Options{TLS: true, User: user, Pass: password, RcptErr: &gosmtp.SMTPError{
				Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "relaying denied for " + rcpt}},
			want: delivery.ErrRefused, code: "550",
		},
		"mailbox busy": {
			opts: smtptest.Options{TLS: true, User: user, Pass: password, RcptErr: &gosmtp.SMTPError{
				Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again, " + rcpt}},
			want: delivery.ErrUnavailable, code: "451", retryable: true,
		},
		"implicit tls to a starttls port": {
			opts: smtptest.Options{TLS: true, User: user, Pass: password}, cfg: func(c *smtp.Config) { c.TLS = smtp.ImplicitTLS },
			want: delivery.ErrRefused,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.New(t, tt.opts)
			cfg := config(srv)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			s, err := smtp.New(cfg)
			require.NoError(t, err)
			err = s.Send(context.Background(), emailMsg())

			require.ErrorIs(t, err, tt.want)
			var se *delivery.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.code, se.Code)
			assert.Equal(t, tt.retryable, se.Retryable())
			assert.Empty(t, srv.Mails())
			noSecrets(t, err)
		})
	}
}

func TestSendUnreachable(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := closed.Addr().(*net.TCPAddr).Port
	require.NoError(t, closed.Close())

	tests := map[string]struct {
		port    int
		timeout time.Duration
		ctx     time.Duration
	}{
		"connection refused":   {port: port, timeout: 5 * time.Second, ctx: 5 * time.Second},
		"silent server":        {port: smtptest.Silent(t), timeout: 200 * time.Millisecond, ctx: 5 * time.Second},
		"context deadline hit": {port: smtptest.Silent(t), timeout: 5 * time.Second, ctx: 200 * time.Millisecond},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: tt.port, Username: user, Password: password,
				From: "no-reply@example.com", Timeout: tt.timeout})
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), tt.ctx)
			defer cancel()
			start := time.Now()
			err = s.Send(ctx, emailMsg())

			assert.Less(t, time.Since(start), 4*time.Second)
			require.ErrorIs(t, err, delivery.ErrUnavailable)
			var se *delivery.Error
			require.ErrorAs(t, err, &se)
			assert.True(t, se.Retryable())
			noSecrets(t, err)
		})
	}
}

func TestSendRefusesMessage(t *testing.T) {
	tests := map[string]struct {
		edit func(*factor.Message)
		want error
	}{
		"sms message":   {func(m *factor.Message) { m.Kind = factor.KindSMS }, delivery.ErrUnsupported},
		"no subject":    {func(m *factor.Message) { m.Subject = "" }, delivery.ErrUnsupported},
		"no text":       {func(m *factor.Message) { m.Text = "" }, delivery.ErrUnsupported},
		"bad address":   {func(m *factor.Message) { m.To = "anna at example.org" }, delivery.ErrInvalidAddress},
		"header inject": {func(m *factor.Message) { m.To = rcpt + "\r\nBcc: eve@example.net" }, delivery.ErrInvalidAddress},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.New(t, smtptest.Options{TLS: true, User: user, Pass: password})
			s, err := smtp.New(config(srv))
			require.NoError(t, err)
			m := emailMsg()
			tt.edit(&m)
			err = s.Send(context.Background(), m)

			require.ErrorIs(t, err, tt.want)
			var se *delivery.Error
			require.ErrorAs(t, err, &se)
			assert.False(t, se.Retryable())
			assert.Empty(t, srv.Mails())
			noSecrets(t, err)
		})
	}
}

func TestNewRefusesConfig(t *testing.T) {
	ok := smtp.Config{Host: "smtp.example.com", Username: user, Password: password, From: "no-reply@example.com"}
	tests := map[string]struct {
		edit  func(*smtp.Config)
		field string
	}{
		"no host":           {func(c *smtp.Config) { c.Host = "" }, "Host"},
		"no from":           {func(c *smtp.Config) { c.From = "" }, "From"},
		"bad from":          {func(c *smtp.Config) { c.From = "no-reply" }, "From"},
		"bad reply-to":      {func(c *smtp.Config) { c.ReplyTo = "support" }, "ReplyTo"},
		"port out of range": {func(c *smtp.Config) { c.Port = 70000 }, "Port"},
		"unknown tls mode":  {func(c *smtp.Config) { c.TLS = 7 }, "TLS"},
		"password in clear": {func(c *smtp.Config) { c.TLS = smtp.NoTLS }, "TLS"},
		"negative timeout":  {func(c *smtp.Config) { c.Timeout = -time.Second }, "Timeout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			_, err := smtp.New(cfg)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "smtp.Config."+tt.field, ce.Field)
			assert.NotContains(t, err.Error(), password)
		})
	}
	_, err := smtp.New(ok)
	require.NoError(t, err)
}

func noSecrets(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	for _, s := range secrets {
		assert.NotContains(t, err.Error(), s)
	}
}

func TestSendPrefersSafeAuth(t *testing.T) {
	tests := map[string]struct {
		offered   []string
		want      string
		delivered bool
	}{
		"plain before cram-md5 and ntlm": {offered: []string{"CRAM-MD5", "NTLM", "PLAIN", "LOGIN"}, want: "PLAIN", delivered: true},
		"login before cram-md5":          {offered: []string{"CRAM-MD5", "LOGIN"}, want: "LOGIN", delivered: true},
		"scram before plain":             {offered: []string{"PLAIN", "SCRAM-SHA-256"}, want: "SCRAM-SHA-256"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.New(t, smtptest.Options{TLS: true, User: user, Pass: password, Mechanisms: tt.offered})
			s, err := smtp.New(config(srv))
			require.NoError(t, err)
			err = s.Send(context.Background(), emailMsg())

			assert.Equal(t, tt.want, srv.Mechanism())
			if tt.delivered {
				require.NoError(t, err)
				require.Len(t, srv.Mails(), 1)
				assert.Equal(t, user, srv.Mails()[0].Authed)
				return
			}
			require.Error(t, err) // the test server implements PLAIN and LOGIN only
			noSecrets(t, err)
		})
	}
}
