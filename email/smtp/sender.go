package smtp

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
)

// DefaultTimeout bounds one Send, connection and transaction, when
// Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// TLSMode says how the connection to the server is encrypted.
type TLSMode int

const (
	// StartTLS connects in plain text and requires the server to offer
	// STARTTLS before anything else is sent. It is the zero value;
	// the default port is 587.
	StartTLS TLSMode = iota
	// ImplicitTLS speaks TLS from the first byte (SMTPS); the default
	// port is 465.
	ImplicitTLS
	// NoTLS sends everything, the codes included, in plain text. It is
	// meant for a local development mail catcher only, and refused
	// together with a Username. The default port is 25.
	NoTLS
)

// Config configures a Sender. Host and From are required; the other
// fields have useful zero values.
type Config struct {
	// Host is the SMTP server's host name.
	Host string
	// Port is the server's port; zero means 587, 465 or 25 by TLS mode.
	Port int
	// Username logs in to the server together with Password; leave it
	// empty for a server that needs no login.
	Username string
	// Password is Username's password.
	Password string
	// From is the sender, such as "Example <no-reply@example.com>".
	From string
	// ReplyTo, if set, is where replies go, such as a support address.
	ReplyTo string
	// TLS is how the connection is encrypted; the zero value requires
	// STARTTLS.
	TLS TLSMode
	// TLSConfig verifies the server; nil means the system's roots and
	// Host as the server name. Tests set RootCAs here.
	TLSConfig *tls.Config
	// Timeout bounds each Send; zero means DefaultTimeout.
	Timeout time.Duration
}

// Sender sends email messages over SMTP. It is safe for concurrent use;
// each Send uses its own connection.
type Sender struct {
	cfg    Config
	from   string
	domain string // of From, lower case: the right side of Message-IDs
}

var _ factor.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender. A refused field is a
// *factor.ConfigError wrapping factor.ErrInvalidConfig.
func New(cfg Config) (*Sender, error) {
	if err := check(&cfg); err != nil {
		return nil, err
	}
	from, _ := netmail.ParseAddress(cfg.From)
	domain := strings.ToLower(from.Address[strings.LastIndexByte(from.Address, '@')+1:])
	return &Sender{cfg: cfg, from: from.String(), domain: domain}, nil
}

// check validates cfg and fills in the defaults.
func check(cfg *Config) error {
	bad := func(field, reason string) error {
		return &factor.ConfigError{Field: "smtp.Config." + field, Reason: reason}
	}
	switch {
	case cfg.Host == "":
		return bad("Host", "is required")
	case cfg.TLS < StartTLS || cfg.TLS > NoTLS:
		return bad("TLS", "is not a TLSMode")
	case cfg.TLS == NoTLS && cfg.Username != "":
		return bad("TLS", "NoTLS would send the password in plain text")
	case cfg.Port < 0 || cfg.Port > 65535:
		return bad("Port", "must be 1 to 65535")
	case cfg.Timeout < 0:
		return bad("Timeout", "must not be negative")
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		return bad("From", "must be an email address")
	}
	if _, err := netmail.ParseAddress(cfg.ReplyTo); cfg.ReplyTo != "" && err != nil {
		return bad("ReplyTo", "must be an email address")
	}
	if cfg.Port == 0 {
		cfg.Port = [...]int{StartTLS: 587, ImplicitTLS: 465, NoTLS: 25}[cfg.TLS]
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	return nil
}

// Send mails m to m.To: m.Subject, with m.Text and, if set, m.HTML as
// alternatives. It returns once the server has accepted the message; a
// failure is a *delivery.Error. Send honours ctx's deadline throughout, and its
// cancellation while connecting.
func (s *Sender) Send(ctx context.Context, m factor.Message) error {
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	timeout := s.cfg.Timeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	if err := ctx.Err(); err != nil || timeout <= 0 {
		return fail("connect", 0, fmt.Errorf("%w: %w", delivery.ErrUnavailable, cmp.Or(err, context.DeadlineExceeded)))
	}
	client, err := mail.NewClient(s.cfg.Host, s.options(timeout)...)
	if err != nil {
		return fail("connect", 0, delivery.ErrRefused)
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return connectError(err)
	}
	defer func() { _ = client.CloseWithSMTPClient(conn) }() // the message is accepted once DATA is
	if err := client.SendWithSMTPClient(conn, msg); err != nil {
		return sendError(err)
	}
	return nil
}

// options turns the Config into go-mail's client options. The timeout
// bounds every network step, so that ctx's deadline holds throughout.
func (s *Sender) options(timeout time.Duration) []mail.Option {
	tc := &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		tc = s.cfg.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = s.cfg.Host
		}
	}
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(timeout), mail.WithTLSConfig(tc)}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		// A login always runs over TLS (check refuses NoTLS with a
		// Username), so PLAIN and LOGIN are safe; SCRAM goes first because
		// the server never sees the password. CRAM-MD5 and NTLM, which rest
		// on MD5 and make servers keep password equivalents, are used only
		// when the server offers none of these.
		prefer := []mail.SMTPAuthType{mail.SMTPAuthSCRAMSHA256PLUS, mail.SMTPAuthSCRAMSHA256,
			mail.SMTPAuthSCRAMSHA1PLUS, mail.SMTPAuthSCRAMSHA1, mail.SMTPAuthPlain, mail.SMTPAuthLogin}
		opts = append(opts, mail.WithOpportunisticSMTPAuth(prefer...),
			mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	return opts
}

// compose checks m and builds the mail.
func (s *Sender) compose(m factor.Message) (*mail.Msg, error) {
	switch {
	case m.Kind != "" && m.Kind != factor.KindEmail:
		return nil, fail("", 0, fmt.Errorf("%w: kind %q, want %q", delivery.ErrUnsupported, m.Kind, factor.KindEmail))
	case m.Subject == "" || m.Text == "":
		return nil, fail("", 0, fmt.Errorf("%w: a subject and a text body are required", delivery.ErrUnsupported))
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fail("", 0, delivery.ErrInvalidAddress)
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := s.address(msg, to.String()); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	// 128 random bits on the sender's own domain: the Message-ID names
	// neither the machine nor the library, and filters that compare it
	// with the From domain are satisfied.
	msg.SetMessageIDWithValue(rand.Text() + "@" + s.domain)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.Language != "" {
		msg.SetGenHeader(mail.HeaderContentLang, m.Language)
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// address sets the sender, recipient and reply address.
func (s *Sender) address(msg *mail.Msg, to string) error {
	if err := msg.From(s.from); err != nil {
		return fail("", 0, fmt.Errorf("%w: sender", delivery.ErrInvalidAddress))
	}
	if err := msg.To(to); err != nil {
		return fail("", 0, delivery.ErrInvalidAddress)
	}
	if s.cfg.ReplyTo != "" {
		if err := msg.ReplyTo(s.cfg.ReplyTo); err != nil {
			return fail("", 0, fmt.Errorf("%w: reply-to", delivery.ErrInvalidAddress))
		}
	}
	return nil
}
