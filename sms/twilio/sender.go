package twilio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
	"github.com/twostep/twostep/internal/twilioapi"
)

// MaxValidity is the longest Twilio keeps a message queued, and the
// longest ValidityPeriod it accepts.
const MaxValidity = 10 * time.Hour

// Config configures a Sender. Give the AccountSID, either the AuthToken or
// an API key (APIKeySID and APIKeySecret), and either From or
// MessagingServiceSID; the other fields have useful zero values.
type Config struct {
	// AccountSID is the account the messages are sent from ("AC…").
	AccountSID string
	// AuthToken is the account's auth token. It is used when no API key
	// is given.
	AuthToken string
	// APIKeySID is an API key ("SK…") of the account. With APIKeySecret
	// it is used instead of the auth token when set.
	APIKeySID string
	// APIKeySecret is the secret of the API key APIKeySID.
	APIKeySecret string

	// From is the sender: a Twilio phone number in E.164 or an
	// alphanumeric sender ID.
	From string
	// MessagingServiceSID is a messaging service ("MG…") whose sender pool
	// picks the sender. When both are set, Twilio sends from From with
	// the service's features.
	MessagingServiceSID string
	// StatusCallbackURL is the public URL of the host's
	// MessageStatusHandler, an absolute https URL (plain http only to a
	// loopback host). When set, every message asks Twilio for delivery
	// receipts there (StatusCallback), with the query parameters
	// "challenge" and "send" naming its code, and ChallengeStatus can tell
	// the page that a code did not arrive. Empty means no receipts.
	StatusCallbackURL string

	// BaseURL is Twilio's API; empty means https://api.twilio.com.
	BaseURL string
	// HTTPClient sends the requests; nil means a client on
	// http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means 10 seconds.
	Timeout time.Duration
}

// Sender sends SMS messages through Twilio. It is safe for concurrent use.
type Sender struct {
	api            *twilioapi.Client
	cfg            Config
	statusCallback *url.URL
}

var _ factor.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender. A refused field is a
// *factor.ConfigError wrapping factor.ErrInvalidConfig.
func New(cfg Config) (*Sender, error) {
	api, err := twilioapi.New("twilio.Config", twilioapi.Account{
		AccountSID: cfg.AccountSID, AuthToken: cfg.AuthToken,
		APIKeySID: cfg.APIKeySID, APIKeySecret: cfg.APIKeySecret,
		BaseURL: cfg.BaseURL, HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout,
	})
	if err != nil {
		return nil, err
	}
	if cfg.From == "" && cfg.MessagingServiceSID == "" {
		return nil, provider.ConfigError("twilio.Config.From", "From or MessagingServiceSID is required")
	}
	if cfg.MessagingServiceSID != "" && !strings.HasPrefix(cfg.MessagingServiceSID, "MG") {
		return nil, provider.ConfigError("twilio.Config.MessagingServiceSID", `must start with "MG"`)
	}
	status, err := twilioapi.WebhookURL("twilio.Config.StatusCallbackURL", cfg.StatusCallbackURL)
	if err != nil {
		return nil, err
	}
	return &Sender{api: api, cfg: cfg, statusCallback: status}, nil
}

// Send sends m.Text to m.To, an E.164 number, as an SMS. When m.ExpiresAt
// is set, Twilio drops the message if it is still queued when the code
// expires (its ValidityPeriod, at most MaxValidity); a code that has
// already expired is not sent. With Config.StatusCallbackURL, Twilio
// reports the message's delivery there. Send returns once Twilio has
// accepted the message; a failure is a *delivery.Error.
func (s *Sender) Send(ctx context.Context, m factor.Message) error {
	if err := provider.CheckPhoneMessage("twilio", m, factor.KindSMS); err != nil {
		return err
	}
	form := url.Values{"To": {m.To}, "Body": {m.Text}}
	if !m.ExpiresAt.IsZero() {
		// Twilio drops a message still queued after ValidityPeriod
		// seconds (1 to 36000, default 36000): a code that arrives after
		// it expired only confuses the user. The lifetime counts from the
		// Manager's send time, or from the wall clock for a message
		// without one.
		left := time.Until(m.ExpiresAt)
		if !m.SentAt.IsZero() {
			left = m.ExpiresAt.Sub(m.SentAt)
		}
		if left < time.Second {
			return &delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: the code has expired", delivery.ErrUnsupported)}
		}
		form.Set("ValidityPeriod", strconv.Itoa(int(min(left, MaxValidity)/time.Second)))
	}
	if s.cfg.From != "" {
		form.Set("From", s.cfg.From)
	}
	if s.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", s.cfg.MessagingServiceSID)
	}
	if cb := twilioapi.StatusCallback(s.statusCallback, m); cb != "" {
		form.Set("StatusCallback", cb)
	}
	return s.api.Post(ctx, "Messages", form)
}
