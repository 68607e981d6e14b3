package twilio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
	"github.com/twostep/twostep/internal/twilioapi"
)

// statusEvents are the call progress events a call with a status callback
// reports: ringing, and its end with how it ended.
const statusEvents = "ringing completed"

// DefaultTimeLimit is how long a call may last when Config.TimeLimit is
// zero: long enough to hear the code twice, short enough to bound the cost
// of a call that is answered by a machine.
const DefaultTimeLimit = 2 * time.Minute

// Config configures a Sender. Give the AccountSID, either the AuthToken or
// an API key (APIKeySID and APIKeySecret), and From; set CallbackURL to
// support keypad mode. The other fields have useful zero values.
type Config struct {
	// AccountSID is the account the calls are placed from ("AC…").
	AccountSID string
	// AuthToken is the account's auth token. It is used when no API key
	// is given. (Twilio signs webhooks with it in either case; see
	// Validator.)
	AuthToken string
	// APIKeySID is an API key ("SK…") of the account. With APIKeySecret
	// it is used instead of the auth token when set.
	APIKeySID string
	// APIKeySecret is the secret of the API key APIKeySID.
	APIKeySecret string

	// From is the caller ID: a Twilio or verified phone number in E.164.
	From string
	// CallbackURL is the public URL of the host's keypad handler, where
	// Twilio posts the typed digits; the Sender adds the query parameters
	// ChallengeParam and LanguageParam. Empty means keypad messages are
	// refused.
	CallbackURL string
	// ScriptURL is the public URL of the host's ScriptHandler. When set,
	// spoken calls use Twilio's answering-machine detection and fetch their
	// script from it once Twilio knows who answered: only a person hears
	// the code, and a voicemail never records it. The script travels
	// sealed (AES-GCM, under a key derived from AuthToken, which is then
	// required) in the query parameter ScriptParam. Empty means spoken
	// calls carry their script inline and read the code to whoever or
	// whatever answers.
	ScriptURL string
	// StatusCallbackURL is the public URL of the host's CallStatusHandler.
	// When set, every call asks Twilio to report its progress there
	// (StatusCallback, with StatusCallbackEvent "ringing completed"), with
	// the query parameters "challenge" and "send" naming its code, and
	// ChallengeStatus can tell the page that a call did not reach the
	// user. Empty means no receipts.
	StatusCallbackURL string
	// Voices adds or replaces voices by BCP 47 tag, such as "de" or
	// "nl-BE". Dutch ("nl"), English ("en") and British English ("en-GB")
	// are built in; other languages fall back to English.
	Voices map[string]Voice
	// TimeLimit is the longest a call may last; zero means
	// DefaultTimeLimit.
	TimeLimit time.Duration

	// BaseURL is Twilio's API; empty means https://api.twilio.com.
	BaseURL string
	// HTTPClient sends the requests; nil means a client on
	// http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means 10 seconds.
	Timeout time.Duration
}

// Sender places voice calls through Twilio. It is safe for concurrent use.
type Sender struct {
	api         *twilioapi.Client
	from        string
	callbackURL *url.URL
	scriptURL   *url.URL
	statusURL   *url.URL
	authToken   string
	voices      voices
	timeLimit   string
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
	if !provider.E164(cfg.From) {
		return nil, provider.ConfigError("twilio.Config.From", "must be a phone number in E.164")
	}
	limit, err := checkTimeLimit(cfg.TimeLimit)
	if err != nil {
		return nil, err
	}
	s := &Sender{api: api, from: cfg.From, timeLimit: limit, authToken: cfg.AuthToken}
	if s.callbackURL, err = twilioapi.WebhookURL("twilio.Config.CallbackURL", cfg.CallbackURL); err != nil {
		return nil, err
	}
	if s.scriptURL, err = twilioapi.WebhookURL("twilio.Config.ScriptURL", cfg.ScriptURL); err != nil {
		return nil, err
	}
	if s.statusURL, err = twilioapi.WebhookURL("twilio.Config.StatusCallbackURL", cfg.StatusCallbackURL); err != nil {
		return nil, err
	}
	if s.scriptURL != nil && cfg.AuthToken == "" {
		return nil, provider.ConfigError("twilio.Config.AuthToken", "is required with ScriptURL: it seals the script")
	}
	if s.voices, err = newVoices(cfg.Voices); err != nil {
		return nil, err
	}
	return s, nil
}

// checkTimeLimit returns the limit in whole seconds, as Twilio wants it.
func checkTimeLimit(d time.Duration) (string, error) {
	if d == 0 {
		d = DefaultTimeLimit
	}
	if d < time.Second || d > 4*time.Hour {
		return "", provider.ConfigError("twilio.Config.TimeLimit", "must be between 1 second and 4 hours")
	}
	return strconv.Itoa(int(d / time.Second)), nil
}

// Send calls m.To, an E.164 number, and says m.Text, which reads the code
// (spoken mode; only to a person when Config.ScriptURL is set), or says
// m.Text while gathering len(m.Code) digits on the keypad (m.Keypad). With
// Config.StatusCallbackURL, Twilio reports the call's progress there. It
// returns once Twilio has accepted the call; a failure is a
// *delivery.Error.
func (s *Sender) Send(ctx context.Context, m factor.Message) error {
	if err := provider.CheckPhoneMessage("twilio", m, factor.KindVoice); err != nil {
		return err
	}
	if !provider.Digits(m.Code) || len(m.Code) > 12 {
		return &delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: the code must be 1 to 12 digits", delivery.ErrUnsupported)}
	}
	var form url.Values
	if !m.Keypad && s.scriptURL != nil {
		f, err := s.scriptCall(m)
		if err != nil {
			return err
		}
		form = f
	} else {
		twiml, err := s.twiml(m)
		if err != nil {
			return err
		}
		form = url.Values{"To": {m.To}, "From": {s.from}, "Twiml": {twiml}, "TimeLimit": {s.timeLimit}}
	}
	if cb := twilioapi.StatusCallback(s.statusURL, m); cb != "" {
		form.Set("StatusCallback", cb)
		form.Set("StatusCallbackMethod", http.MethodPost)
		form.Set("StatusCallbackEvent", statusEvents)
	}
	return s.api.Post(ctx, "Calls", form)
}
