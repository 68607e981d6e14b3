package bird

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
)

// DefaultBaseURL is Bird's Channels API.
const DefaultBaseURL = "https://api.bird.com"

// Config configures a Sender for one of Bird's two APIs, chosen by the
// kind of key:
//
//   - the platform API: an APIKey ("bk_<region>_…", from the current Bird
//     dashboard) and From;
//   - the Channels API: an AccessKey with WorkspaceID and ChannelID.
//
// Set the fields of exactly one of them; the other fields have useful zero
// values.
type Config struct {
	// APIKey is a key of Bird's platform API, "bk_<region>_<token>"; its
	// region picks the host, https://<region>.platform.bird.com, unless
	// BaseURL is set. The key needs the sms:write scope.
	APIKey string
	// From is the platform API's sender: an E.164 number the workspace
	// owns, an alphanumeric sender ID or a short code.
	From string

	// AccessKey is a Bird access key of the Channels API, allowed to send
	// on the channel.
	AccessKey string
	// WorkspaceID is the workspace (a UUID) that holds the channel.
	WorkspaceID string
	// ChannelID is the SMS channel (a UUID) the messages are sent from;
	// it decides the sender number or name.
	ChannelID string

	// BaseURL is Bird's API; empty means the region's host for an APIKey
	// and https://api.bird.com for an AccessKey.
	BaseURL string
	// HTTPClient sends the requests; nil means a client on
	// http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means 10 seconds.
	Timeout time.Duration
}

// Sender sends SMS messages through Bird. It is safe for concurrent use.
type Sender struct {
	endpoint string
	key      string
	from     string // set for the platform API only
	http     provider.Client
}

var _ factor.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender. A refused field is a
// *factor.ConfigError wrapping factor.ErrInvalidConfig.
func New(cfg Config) (*Sender, error) {
	timeout, err := provider.Timeout("bird.Config.Timeout", cfg.Timeout)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.APIKey != "" && (cfg.AccessKey != "" || cfg.WorkspaceID != "" || cfg.ChannelID != ""):
		return nil, provider.ConfigError("bird.Config.APIKey", "set APIKey and From (platform API) or AccessKey, WorkspaceID and ChannelID (Channels API), not both")
	case cfg.APIKey != "":
		return newPlatform(cfg, timeout)
	case cfg.AccessKey == "":
		return nil, provider.ConfigError("bird.Config.AccessKey", "is required, unless APIKey is set")
	}
	if !uuid(cfg.WorkspaceID) {
		return nil, provider.ConfigError("bird.Config.WorkspaceID", "must be a UUID")
	}
	if !uuid(cfg.ChannelID) {
		return nil, provider.ConfigError("bird.Config.ChannelID", "must be a UUID")
	}
	base, err := provider.BaseURL("bird.Config.BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	return &Sender{
		endpoint: base + "/workspaces/" + url.PathEscape(cfg.WorkspaceID) + "/channels/" + url.PathEscape(cfg.ChannelID) + "/messages",
		key:      cfg.AccessKey,
		http:     provider.Client{Provider: "bird", HTTP: provider.HTTPClient(cfg.HTTPClient), Timeout: timeout, Classify: classify},
	}, nil
}

// message is the body of a send request with a text body.
type message struct {
	Receiver receiver `json:"receiver"`
	Body     body     `json:"body"`
}

type receiver struct {
	Contacts []contact `json:"contacts"`
}

type contact struct {
	IdentifierKey   string `json:"identifierKey"`
	IdentifierValue string `json:"identifierValue"`
}

type body struct {
	Type string `json:"type"`
	Text text   `json:"text"`
}

type text struct {
	Text string `json:"text"`
}

// Send sends m.Text to m.To, an E.164 number, as an SMS. It returns once
// Bird has accepted the message; a failure is a *delivery.Error. Through
// the platform API, a request that got no answer or a 5xx is tried once
// more with the same Idempotency-Key, so that Bird sends the message at
// most once.
func (s *Sender) Send(ctx context.Context, m factor.Message) error {
	if err := provider.CheckPhoneMessage("bird", m, factor.KindSMS); err != nil {
		return err
	}
	if s.from != "" {
		return s.sendPlatform(ctx, m)
	}
	payload, err := json.Marshal(message{
		Receiver: receiver{Contacts: []contact{{IdentifierKey: "phonenumber", IdentifierValue: m.To}}},
		Body:     body{Type: "text", Text: text{Text: m.Text}},
	})
	if err != nil {
		return &delivery.Error{Provider: "bird", Err: delivery.ErrUnsupported}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(payload))
	if err != nil {
		return &delivery.Error{Provider: "bird", Err: delivery.ErrUnsupported}
	}
	req.Header.Set("Authorization", "AccessKey "+s.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return s.http.Do(ctx, req)
}
