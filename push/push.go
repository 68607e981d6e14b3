package push

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/lang"
)

// Kind is the kind of a push enrollment: a phone app that approves
// sign-ins.
const Kind factor.Kind = "push"

// Defaults and bounds of Config.
const (
	defaultTTL      = 2 * time.Minute
	defaultCooldown = 30 * time.Second
	defaultNotMe    = time.Hour
	clockSkew       = time.Minute
	maxIssuer       = 64
)

// Config configures a Factor. URL is required; the zero value of every
// other field is a safe default.
type Config struct {
	// URL is the absolute URL at which the host mounts the Factor's
	// handler, as phones reach it, such as
	// "https://example.com/twostep/push". It goes into the enrolment URI
	// and is bound into every signature. It must use https; plain http is
	// allowed only to a loopback host, for tests.
	URL string
	// Issuer names the service in the app and in notifications, such as
	// "CAK". Empty means the URL's host. At most 64 bytes.
	Issuer string
	// Notifier delivers push messages to devices (push/fcm, push/apns, or
	// a Platforms of both). Nil means that devices only poll.
	Notifier Notifier
	// ChallengeTTL is how long a sign-in request can be answered. Zero
	// means 2 minutes; 30 seconds to 5 minutes.
	ChallengeTTL time.Duration
	// Cooldown is how long a user waits before a new push may replace the
	// pending one. Zero means 30 seconds; at most ChallengeTTL.
	Cooldown time.Duration
	// NotMeBlock is how long pushes to a user stay paused after the user
	// denied one with "not me". Zero means one hour; negative means no
	// pause.
	NotMeBlock time.Duration
	// Alerts receives the suspicious sign-in events (EventNotMe), so that
	// the host can tell the user by another channel. Every event also
	// goes to the Manager's Events. Nil tells no one.
	Alerts factor.EventSink
	// Clock returns the current time for requests from devices. Nil means
	// time.Now.
	Clock func() time.Time
}

// EventNotMe is emitted, through the Manager and to Config.Alerts, when a
// user denies a sign-in request with "not me": a suspicious sign-in.
const EventNotMe factor.EventType = "push_not_me"

// Context describes a sign-in for the person holding the phone. The host
// supplies it; the app shows it beside the number choices. Each field is
// at most 128 bytes of text without control characters.
type Context struct {
	// App names what the user signs in to, such as "CAK portal".
	App string `json:"app,omitempty"`
	// Browser describes the device signing in, such as "Firefox on
	// Windows".
	Browser string `json:"browser,omitempty"`
	// Location is an approximate location, such as "Utrecht, NL".
	Location string `json:"location,omitempty"`
}

// Factor is the phone-app second step: a factor.Factor of kind Kind whose
// challenges the user approves in an app by picking the number the login
// page shows. It is also the factor.Sender for push messages (route Kind
// to it in the Manager's Sender) and the http.Handler the app talks to.
// A Factor serves one Manager, attached with Bind after NewManager.
type Factor struct {
	cfg    Config
	origin string
	langs  *lang.Matcher

	mu sync.RWMutex
	m  *factor.Manager
}

// New checks cfg and returns a Factor.
func New(cfg Config) (*Factor, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, &factor.ConfigError{Field: "URL", Reason: "must be an absolute URL without credentials, query or fragment"}
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !loopback(u.Hostname())) {
		return nil, &factor.ConfigError{Field: "URL", Reason: "must use https (plain http only to a loopback host)"}
	}
	if cfg.Issuer == "" {
		cfg.Issuer = u.Hostname()
	}
	if checkField("issuer", cfg.Issuer, maxIssuer) != nil {
		return nil, &factor.ConfigError{Field: "Issuer", Reason: "at most 64 bytes of text without control characters"}
	}
	if cfg.ChallengeTTL == 0 {
		cfg.ChallengeTTL = defaultTTL
	}
	if cfg.ChallengeTTL < 30*time.Second || cfg.ChallengeTTL > 5*time.Minute {
		return nil, &factor.ConfigError{Field: "ChallengeTTL", Reason: "must be 30 seconds to 5 minutes"}
	}
	if cfg.Cooldown == 0 {
		cfg.Cooldown = defaultCooldown
	}
	if cfg.Cooldown < 0 || cfg.Cooldown > cfg.ChallengeTTL {
		return nil, &factor.ConfigError{Field: "Cooldown", Reason: "must be positive and at most ChallengeTTL"}
	}
	if cfg.NotMeBlock == 0 {
		cfg.NotMeBlock = defaultNotMe
	}
	return &Factor{cfg: cfg, origin: strings.TrimSuffix(cfg.URL, "/"), langs: lang.New("nl", "en")}, nil
}

// Bind attaches f to the Manager that has it among its Factors; the
// registration, the login and the handler need it. A Factor serves one
// Manager: binding it to another is refused.
func (f *Factor) Bind(m *factor.Manager) error {
	if m == nil {
		return &factor.ConfigError{Field: "Manager", Reason: "required"}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m != nil && f.m != m {
		return errors.New("push: Factor is already bound to another Manager")
	}
	f.m = m
	return nil
}

// errUnbound is returned by everything that needs the Manager before Bind.
var errUnbound = errors.New("push: Factor is not bound to a Manager (call Bind after factor.NewManager)")

func (f *Factor) manager() (*factor.Manager, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.m == nil {
		return nil, errUnbound
	}
	return f.m, nil
}

// Kind returns Kind.
func (f *Factor) Kind() factor.Kind { return Kind }

// ApprovesOnDevice reports true: push sign-ins are approved in the app,
// and the Manager runs them as keypad challenges.
func (f *Factor) ApprovesOnDevice() bool { return true }

// Prepare checks a new push enrollment, which Factor.Enroll creates: its
// State must hold the keyed hash of an enrolment secret and no device yet.
// The enrollment's Address becomes its ID, so that the Manager's send
// budgets count pushes per enrollment (a phone app has no number).
func (f *Factor) Prepare(e *factor.Enrollment) error {
	st, err := decodeState(e)
	if err != nil || len(st.SecretHash) == 0 || st.Key != nil {
		return &factor.InputError{Field: "state", Reason: "push enrollments are created by push.Factor.Enroll"}
	}
	e.Address, e.Secret = e.ID, nil
	return nil
}

// Mask shows nothing of a push enrollment's address, which is only its
// ID: the page shows the Label, the device's name.
func (f *Factor) Mask(string) string { return "" }

// Verify confirms a registered device: the Manager's Confirm calls it, from
// the handler, with the enrolment secret as the code, once the app proved
// possession of its key. The secret's hash is then cleared, so the secret
// is single use, and nothing else ever passes: a push login goes through
// a challenge, not through Verify.
func (f *Factor) Verify(_ context.Context, e *factor.Enrollment, code string, _ time.Time) error {
	m, err := f.manager()
	if err != nil {
		return err
	}
	st, err := decodeState(e)
	if err != nil {
		return err
	}
	if st.Key == nil || len(st.SecretHash) == 0 || !m.Extension().Sealer().CheckMAC(st.SecretHash, purposeSecret, e.UserID, []byte(code)) {
		return factor.ErrInvalidCode
	}
	st.SecretHash = nil
	e.State, err = st.encode()
	return err
}

// Compose writes the notification of a sign-in request, in Dutch or
// English as lang prefers. It holds neither the number nor anything
// secret: the app fetches the request itself, with a signed poll.
func (f *Factor) Compose(e *factor.Enrollment, c *factor.Challenge, code, lang string) (factor.Message, error) {
	l := f.langs.Match(lang)
	t := texts[l]
	return factor.Message{
		Kind:        Kind,
		ChallengeID: c.ID,
		Language:    l,
		Subject:     fmt.Sprintf(t.title, f.cfg.Issuer),
		Text:        t.body,
		ExpiresAt:   c.ExpiresAt,
	}, nil
}

// texts are the notification's title (with the issuer) and body.
var texts = map[string]struct{ title, body string }{
	"nl": {"Inloggen bij %s?", "Open de app en kies het getal dat op het scherm staat."},
	"en": {"Sign in to %s?", "Open the app and pick the number shown on the screen."},
}

func (f *Factor) now() time.Time {
	if f.cfg.Clock != nil {
		return f.cfg.Clock()
	}
	return time.Now()
}

func loopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
