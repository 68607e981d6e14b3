// Wiring: everything that builds twostep and connects it to the world
// outside (the database, the server keys, the senders, the keypad
// webhook and the development outbox).

package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/email/smtp"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/passkey"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/sms"
	smstwilio "github.com/twostep/twostep/sms/twilio"
	"github.com/twostep/twostep/totp"
	"github.com/twostep/twostep/trust"
	"github.com/twostep/twostep/voice"
	voicetwilio "github.com/twostep/twostep/voice/twilio"
)

// Where Twilio calls back: with the digits of a keypad call, and with the
// delivery receipts of texts and calls.
const (
	keypadPath     = "/twostep/voice/keypad"
	smsStatusPath  = "/twostep/sms/status"
	callStatusPath = "/twostep/voice/status"
)

// stepUpWindow is how long a step-up allows a sensitive change when the
// configured policy does not say.
const stepUpWindow = 5 * time.Minute

// twostepParts are the App's twostep values. Only the files that call
// twostep (see TestScaffoldingDoesNotCallTwostep) use them.
type twostepParts struct {
	m       *factor.Manager
	totp    *totp.Factor
	codes   *recovery.Codes
	devices *trust.Devices
	keypad  *voice.Handler // nil unless Twilio calls back with keypad digits
	// passkeys runs the passkey ceremonies (passkey.go); nil unless an
	// origin for them is known.
	passkeys *passkey.Passkeys
	push     *push.Factor  // nil unless phone apps can reach the app (pushURL)
	mail     factor.Sender // the email channel's sender (SMTP or the outbox); nil without one
}

// twostep builds the Manager and the packages built on it.
func (a *App) twostep(store factor.Store) error {
	keys, err := loadKeys(a.cfg.DataDir, a.Now())
	if err != nil {
		return fmt.Errorf("server keys: %w", err)
	}
	factors, router, err := a.factors(a.cfg)
	if err != nil {
		return err
	}
	factors = append(factors, passkeyFactors(a.cfg)...)
	// Step-ups are per session: the grant of a step-up's Verify is kept in
	// the session that passed it (Session.StepUp) and is the only thing
	// that unlocks a sensitive change, not a code entered in another
	// session of the same user. The app needs the window to forget a
	// lapsed grant.
	a.cfg.Policy.StepUpGrants = true
	if a.cfg.Policy.StepUpWindow == 0 {
		a.cfg.Policy.StepUpWindow = stepUpWindow
	}
	a.cfg.Policy.ChangeByEmail = a.changeByEmail()
	a.mail = router[factor.KindEmail]
	notices, err := a.notices(store)
	if err != nil {
		return err
	}
	a.m, err = factor.NewManager(factor.Config{
		Store: store, Factors: factors, Keys: keys, Sender: router,
		Logger: a.log, Policy: a.cfg.Policy, Events: a.cfg.Events,
		AccountEmails: a.accountEmails(), Notifier: notices,
	})
	if err != nil {
		return err
	}
	if a.codes, err = recovery.New(a.m, recovery.Config{}); err != nil {
		return err
	}
	if a.devices, err = trust.New(a.m, trust.Config{}); err != nil {
		return err
	}
	if a.passkeys, err = a.newPasskeys(); err != nil {
		return err
	}
	if a.push != nil {
		if err := a.push.Bind(a.m); err != nil {
			return err
		}
	}
	a.keypad, err = keypadHandler(a.m, a.cfg, func() time.Time { return a.Now() })
	return err
}

// accountEmails makes the address of a user's account the method of a
// user who has set up nothing else, when the app was started with
// -account-email.
func (a *App) accountEmails() factor.AccountEmails {
	if !a.cfg.AccountEmail {
		return nil
	}
	return accountEmails{a.users}
}

// notices tells users by email of every change of their methods, in
// Dutch (the app keeps no language per user), when email can be sent.
// Notices carry no code.
func (a *App) notices(store factor.Store) (factor.EventSink, error) {
	if !a.canMail() {
		return nil, nil
	}
	return email.NewNotices(email.NoticeConfig{
		AppName: a.cfg.AppName, Sender: a.mail, Enrollments: store, DefaultLanguage: "nl", Logger: a.log,
		Recipients: func(ctx context.Context, userID string) (email.Recipient, error) {
			u, err := a.users.byID(ctx, userID)
			if err != nil || u == nil {
				return email.Recipient{}, err
			}
			return email.Recipient{Address: u.Email}, nil
		},
	})
}

// canMail reports whether the app can send email: sign-up needs it.
func (a *App) canMail() bool { return a.mail != nil }

// sendMail sends the app's own mail (not a twostep code) through the
// email channel's sender; code, if any, is what the outbox shows as the
// code.
func (a *App) sendMail(ctx context.Context, to, lang, subject, text, code string) error {
	if a.mail == nil {
		return errors.New("webapp: no email sender")
	}
	return a.mail.Send(ctx, factor.Message{Kind: factor.KindEmail, To: to, Language: lang, Subject: subject, Text: text, Code: code, SentAt: a.Now()})
}

// pruneInterval is how often the app removes twostep records that can
// never be used again: expired codes, trusted devices and activation
// codes, ended budget windows and abandoned set-ups.
const pruneInterval = 10 * time.Minute

// pruneEvery calls Prune every interval until ctx is done. Every instance
// of the app may run it; a failure is logged and tried again at the next
// tick.
func (a *App) pruneEvery(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := a.m.Prune(ctx, a.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("webapp: prune", "removed", n, "error", err.Error())
		case n > 0:
			a.log.Info("webapp: pruned expired twostep records", "removed", n)
		}
	}
}

// webhookRoutes mounts what providers call, outside the session and CSRF
// machinery: Twilio's keypad webhook and delivery receipts (mounted with
// it: both need the public URL), authenticated by Twilio's signature,
// and the phone app's endpoint, whose requests the app signs.
func (a *App) webhookRoutes(top *http.ServeMux) {
	if a.keypad != nil {
		top.Handle("POST "+keypadPath, a.keypad)
		tw := a.cfg.Twilio
		top.Handle("POST "+smsStatusPath, &smstwilio.MessageStatusHandler{Manager: a.m, AuthToken: tw.AuthToken, PublicURL: tw.PublicURL, Clock: a.Now})
		top.Handle("POST "+callStatusPath, &voicetwilio.CallStatusHandler{Manager: a.m, Validator: &voicetwilio.Validator{AuthToken: tw.AuthToken, PublicURL: tw.PublicURL}, Clock: a.Now})
	}
	if a.push != nil {
		top.Handle(pushPath+"/", a.push)
	}
}

// createPrivate creates the SQLite file readable by its owner only, unless
// it exists; SQLite gives its journal files the same mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// openDB opens PostgreSQL when a DSN is given and otherwise the SQLite file
// in the data directory, and brings twostep's schema up to date.
func openDB(ctx context.Context, cfg Config) (*sql.DB, *sqlstore.Store, error) {
	file := filepath.Join(cfg.DataDir, "twostep.db")
	driver, dsn, dialect := "sqlite", sqliteDSN(file), sqlstore.SQLite
	if cfg.Postgres != "" {
		driver, dsn, dialect = "pgx", cfg.Postgres, sqlstore.Postgres
	} else if err := createPrivate(file); err != nil {
		return nil, nil, fmt.Errorf("database: %w", err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(10)
	store, err := sqlstore.New(db, dialect)
	if err == nil {
		err = store.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("database: %w", err)
	}
	return db, store, nil
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(100)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// loadKeys reads the server keys from the data directory, generating and
// storing a first key (mode 0600) on the first start, so that sealed
// secrets and hashed codes survive restarts.
func loadKeys(dir string, now time.Time) ([]factor.ServerKey, error) {
	path := filepath.Join(dir, "server-keys.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newKeys(path, now)
	}
	if err != nil {
		return nil, err
	}
	var keys []factor.ServerKey
	if err := json.Unmarshal(b, &keys); err != nil || len(keys) == 0 {
		return nil, fmt.Errorf("%s: no keys in the file", path)
	}
	return keys, nil
}

func newKeys(path string, now time.Time) ([]factor.ServerKey, error) {
	secret := make([]byte, 32)
	rand.Read(secret)
	keys := []factor.ServerKey{{ID: "k" + now.UTC().Format("20060102150405"), Secret: secret}}
	b, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	return keys, f.Close()
}

// factors builds the factors on offer and the sender that delivers their
// codes. A channel is offered when it has a real sender or, in development
// mode, the outbox. Authenticator apps are always offered, the phone app
// when phones can reach the app.
func (a *App) factors(cfg Config) ([]factor.Factor, factor.Router, error) {
	app, err := totp.New(totp.Config{Issuer: cfg.AppName})
	if err != nil {
		return nil, nil, err
	}
	a.totp = app
	fs, router := []factor.Factor{app}, factor.Router{}
	for _, ch := range channels(cfg) {
		if !ch.real && !cfg.Dev {
			continue
		}
		f, err := ch.make()
		if err != nil {
			return nil, nil, err
		}
		fs = append(fs, f)
		if cfg.Dev {
			router[f.Kind()] = a.outbox // replaced below by a real sender, if any
		}
	}
	if fs, err = a.addPush(cfg, fs, router); err != nil {
		return nil, nil, err
	}
	return fs, router, a.realSenders(cfg, router)
}

// channel is a kind of delivered code and whether a real sender exists.
type channel struct {
	real bool
	make func() (factor.Factor, error)
}

func channels(cfg Config) []channel {
	return []channel{
		{cfg.Twilio.enabled(), func() (factor.Factor, error) { return sms.New(sms.Config{AppName: cfg.AppName, Phones: phones}) }},
		{cfg.Twilio.enabled(), func() (factor.Factor, error) { return voice.New(voice.Config{AppName: cfg.AppName, Phones: phones}) }},
		{cfg.SMTP.enabled(), func() (factor.Factor, error) { return email.New(email.Config{AppName: cfg.AppName}) }},
	}
}

// realSenders puts the configured providers in the router, replacing the
// outbox for their channels.
func (a *App) realSenders(cfg Config, router factor.Router) error {
	if cfg.Twilio.enabled() {
		scfg := smstwilio.Config{AccountSID: cfg.Twilio.AccountSID, AuthToken: cfg.Twilio.AuthToken, From: cfg.Twilio.From}
		vcfg := voicetwilio.Config{AccountSID: cfg.Twilio.AccountSID, AuthToken: cfg.Twilio.AuthToken, From: cfg.Twilio.From}
		if cfg.Twilio.PublicURL != "" {
			vcfg.CallbackURL = cfg.Twilio.PublicURL + keypadPath
			// Delivery receipts: a code that did not arrive shows on the
			// page at once (ChallengeStatus), instead of a wait.
			scfg.StatusCallbackURL = cfg.Twilio.PublicURL + smsStatusPath
			vcfg.StatusCallbackURL = cfg.Twilio.PublicURL + callStatusPath
		}
		s, err := smstwilio.New(scfg)
		if err != nil {
			return err
		}
		v, err := voicetwilio.New(vcfg)
		if err != nil {
			return err
		}
		router[factor.KindSMS], router[factor.KindVoice] = s, v
	}
	if cfg.SMTP.enabled() {
		s, err := smtp.New(smtp.Config{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password, From: cfg.SMTP.From})
		if err != nil {
			return err
		}
		router[factor.KindEmail] = s
	}
	return nil
}

// keypadHandler receives the digits of Twilio keypad calls, when Twilio is
// configured with a public URL; nil otherwise.
func keypadHandler(m *factor.Manager, cfg Config, now func() time.Time) (*voice.Handler, error) {
	if !cfg.Twilio.enabled() || cfg.Twilio.PublicURL == "" {
		return nil, nil
	}
	h, err := voice.NewHandler(m, &voicetwilio.Validator{AuthToken: cfg.Twilio.AuthToken, PublicURL: cfg.Twilio.PublicURL})
	if err != nil {
		return nil, err
	}
	h.Clock = now
	return h, nil
}

// outboxSize is how many messages the outbox keeps; older ones drop off.
const outboxSize = 200

// Outbox is a factor.Sender for development. It records every message,
// code included, for the outbox page, and prints it through twostep's
// console sender. Never use it in production.
type Outbox struct {
	console *factor.ConsoleSender
	now     func() time.Time

	mu   sync.Mutex
	msgs []OutboxMessage
}

// OutboxMessage is one message the outbox "sent".
type OutboxMessage struct {
	// Message is the message as twostep handed it over, code included.
	factor.Message
	// SentAt is when the app sent it.
	SentAt time.Time
}

// NewOutbox returns an outbox that prints to w (standard error if nil).
func NewOutbox(w io.Writer, now func() time.Time) *Outbox {
	return &Outbox{console: &factor.ConsoleSender{W: w}, now: now}
}

// Send records m and prints it.
func (o *Outbox) Send(ctx context.Context, m factor.Message) error {
	if err := o.console.Send(ctx, m); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, OutboxMessage{Message: m, SentAt: o.now()})
	if len(o.msgs) > outboxSize {
		o.msgs = slices.Delete(o.msgs, 0, len(o.msgs)-outboxSize)
	}
	return nil
}

// Messages returns the recorded messages, newest first.
func (o *Outbox) Messages() []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := slices.Clone(o.msgs)
	slices.Reverse(out)
	return out
}

// Clear forgets every message.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = nil
}

// handleOutboxKeypad plays the phone in a keypad call: it passes the
// digits "typed on the phone" to the Manager, as the voice provider's
// webhook would.
func (a *App) handleOutboxKeypad(w http.ResponseWriter, r *http.Request) {
	err := a.m.ApproveKeypad(r.Context(), r.PostFormValue("challenge"), r.PostFormValue("digits"), a.Now())
	if err != nil {
		a.flashErr(r, err)
	} else {
		a.flash(r, "flash_keypad_sent")
	}
	redirect(w, r, "/dev/outbox")
}
