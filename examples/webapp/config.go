// Scaffolding: the app's configuration from flags and the environment, as
// any app has; this file does not call twostep (it names factor.Policy,
// which wiring.go hands to the Manager).

package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/twostep/twostep/factor"
)

// Config is everything the app needs to start. The zero value of every
// field but DataDir is usable; parseConfig fills it from flags and the
// environment.
type Config struct {
	// Addr is where the server listens, such as "localhost:8080".
	Addr string
	// DataDir holds the SQLite database and the server keys. It is
	// created if missing.
	DataDir string
	// Postgres, when set, is a PostgreSQL DSN used instead of SQLite.
	Postgres string
	// AppName is the name users see, in pages, texts and authenticator apps.
	AppName string
	// Dev enables the development outbox and the console sender for every
	// channel without a real sender.
	Dev bool
	// DevPublic lets run listen on an address other machines can reach
	// in development mode, where the outbox shows every code to anyone.
	DevPublic bool
	// Demo seeds a demo admin and a demo user into an empty database.
	Demo bool
	// PasskeyOrigin is the origin browsers reach the app at, such as
	// "https://login.example.com"; passkeys are bound to its host name.
	// Empty: in development mode http://localhost with the port of Addr,
	// otherwise no passkeys.
	PasskeyOrigin string
	// BehindTLS trusts X-Forwarded-Proto: https from a TLS-terminating
	// proxy, so that session cookies are Secure.
	BehindTLS bool
	// Policy is twostep's account policy.
	Policy factor.Policy
	// Events receives twostep's audit events, such as an admin's reset
	// with its reason; nil only logs them.
	Events factor.EventSink
	// Twilio configures real SMS and voice delivery.
	Twilio TwilioConfig
	// SMTP configures real email delivery.
	SMTP SMTPConfig
	// PushURL is where phone apps reach the app's push endpoint, such as
	// "https://login.example.com/twostep/push". Empty means
	// http://Addr/twostep/push in development mode on a loopback address,
	// and no phone app otherwise.
	PushURL string
	// BcryptCost is the cost of password hashes; zero means
	// bcrypt.DefaultCost. Tests lower it.
	BcryptCost int
	// Logger receives the app's and twostep's logs; nil discards them.
	Logger *slog.Logger
	// Console is where the outbox prints what it "sends"; nil means
	// standard error.
	Console io.Writer
	// ConfirmPhoneChange has a changed phone number confirmed by a link
	// mailed to the account's address before a code goes to the new
	// number.
	ConfirmPhoneChange bool
	// AccountEmail sends codes to the address of the account of a user
	// who has set up nothing else, with no set-up step, until the user
	// confirms another method.
	AccountEmail bool
	// PublicURL is the app's address as users' browsers reach it, such as
	// "https://login.example.com", for links in mails; empty means
	// http:// and Addr.
	PublicURL string
}

// publicURL is the base of links to the app.
func (c Config) publicURL() string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	return "http://" + c.Addr
}

// TwilioConfig holds the Twilio account used for SMS and voice calls
// (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_PUBLIC_URL).
type TwilioConfig struct {
	// AccountSID ("AC…") and AuthToken authenticate the account; From is
	// the sending number in E.164.
	AccountSID, AuthToken, From string
	// PublicURL is this app's public base URL, which Twilio calls back
	// with the digits of a keypad call, such as "https://login.example.com".
	PublicURL string
}

// SMTPConfig holds the SMTP server used for email codes (SMTP_HOST,
// SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM). STARTTLS is
// required.
type SMTPConfig struct {
	// Host is the server's host name.
	Host string
	// Port is the server's port; zero means 587.
	Port int
	// Username and Password log in; an empty Username means no login.
	Username, Password string
	// From is the sender, such as "Acme <no-reply@acme.example>".
	From string
}

func (t TwilioConfig) enabled() bool { return t.AccountSID != "" && t.AuthToken != "" && t.From != "" }
func (s SMTPConfig) enabled() bool   { return s.Host != "" && s.From != "" }

// parseConfig reads flags from args and settings from getenv. It reports
// what is wrong on output, as the flag package does (flag.ErrHelp after
// -help), and returns the error.
func parseConfig(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.SetOutput(output)
	c := Config{Logger: slog.Default()}
	fs.StringVar(&c.Addr, "addr", "localhost:8080", "listen address")
	fs.StringVar(&c.DataDir, "data", "./twostep-data", "data directory for the SQLite database and the server keys")
	fs.StringVar(&c.Postgres, "postgres", getenv("TWOSTEP_POSTGRES"), "PostgreSQL DSN (default $TWOSTEP_POSTGRES; empty uses SQLite)")
	fs.StringVar(&c.AppName, "name", "Twostep Demo", "application name shown to users")
	fs.BoolVar(&c.Dev, "dev", true, "development mode: outbox page and console sender for unconfigured channels")
	fs.BoolVar(&c.DevPublic, "dev-public", false, "allow development mode on an address other machines can reach (the outbox shows every code)")
	fs.BoolVar(&c.Demo, "demo", true, "seed a demo admin and a demo user into an empty database")
	fs.StringVar(&c.PasskeyOrigin, "passkey-origin", getenv("TWOSTEP_PASSKEY_ORIGIN"), "origin for passkeys, such as https://login.example.com (default $TWOSTEP_PASSKEY_ORIGIN; empty: http://localhost:PORT in development mode)")
	fs.StringVar(&c.PushURL, "push-url", getenv("TWOSTEP_PUSH_URL"), "URL of the phone app's endpoint, ending in /twostep/push (default $TWOSTEP_PUSH_URL; empty: http://ADDR/twostep/push in development on localhost)")
	fs.BoolVar(&c.BehindTLS, "behind-tls", false, "trust X-Forwarded-Proto from a TLS-terminating proxy")
	fs.Func("require-from", `date from which two-step verification is mandatory (YYYY-MM-DD or "now"; empty: optional)`, func(s string) (err error) {
		c.Policy.RequiredFrom, err = parseRequireFrom(s, time.Now())
		return err
	})
	fs.IntVar(&c.Policy.GraceDays, "grace-days", 14, "days a user may skip setting it up once it is mandatory")
	fs.BoolVar(&c.Policy.RequireActivation, "require-activation", false, "require an activation code (issued by an admin) before enrolling")
	fs.BoolVar(&c.ConfirmPhoneChange, "confirm-phone-change", false, "confirm a changed phone number by a link mailed to the account first")
	fs.BoolVar(&c.AccountEmail, "account-email", false, "send codes to the account's email address of users who have set up nothing else")
	fs.StringVar(&c.PublicURL, "public-url", "", "the app's URL as browsers reach it, for links in mails (default http:// and -addr)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Twilio = TwilioConfig{getenv("TWILIO_ACCOUNT_SID"), getenv("TWILIO_AUTH_TOKEN"), getenv("TWILIO_FROM"), getenv("TWILIO_PUBLIC_URL")}
	c.SMTP = SMTPConfig{Host: getenv("SMTP_HOST"), Username: getenv("SMTP_USERNAME"), Password: getenv("SMTP_PASSWORD"), From: getenv("SMTP_FROM")}
	if p := getenv("SMTP_PORT"); p != "" {
		port, err := strconv.ParseUint(p, 10, 16)
		if err != nil || port == 0 {
			err = fmt.Errorf("SMTP_PORT=%q: want a port number from 1 to 65535", p)
			fmt.Fprintln(output, "webapp:", err)
			return c, err
		}
		c.SMTP.Port = int(port)
	}
	return c, nil
}

// parseRequireFrom reads a date such as 2026-07-01 (midnight UTC) or "now".
func parseRequireFrom(s string, now time.Time) (time.Time, error) {
	switch s {
	case "":
		return time.Time{}, nil
	case "now":
		return now, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD or now: %w", err)
	}
	return t, nil
}

func (c Config) bcryptCost() int {
	if c.BcryptCost == 0 {
		return bcrypt.DefaultCost
	}
	return c.BcryptCost
}
