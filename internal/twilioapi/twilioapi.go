// Package twilioapi is the part of Twilio's REST API that the Twilio
// senders (sms/twilio, voice/twilio) share: account credentials,
// form-encoded POSTs to the 2010-04-01 API, and the mapping of Twilio's
// error codes to the reasons of package delivery.
package twilioapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
)

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// Account is what a Twilio sender's Config says about the account and the
// transport; the fields mean what they mean there.
type Account struct {
	// AccountSID is the account ("AC…"); it is part of every resource URL.
	AccountSID string
	// AuthToken is the account's auth token, used when no API key is
	// given.
	AuthToken string
	// APIKeySID is an API key ("SK…") of the account, used with
	// APIKeySecret instead of the auth token when set.
	APIKeySID string
	// APIKeySecret is the secret of the API key APIKeySID.
	APIKeySecret string
	// BaseURL is Twilio's API; empty means DefaultBaseURL.
	BaseURL string
	// HTTPClient sends the requests; nil means a client on
	// http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means provider.DefaultTimeout.
	Timeout time.Duration
}

// Client posts to one Twilio account's resources.
type Client struct {
	base       string // BaseURL + "/2010-04-01/Accounts/" + SID
	user, pass string
	http       provider.Client
}

// New checks a and returns a client for it. cfg names the Config type in
// errors, such as "twilio.Config".
func New(cfg string, a Account) (*Client, error) {
	user, pass, err := credentials(cfg, a)
	if err != nil {
		return nil, err
	}
	base, err := provider.BaseURL(cfg+".BaseURL", a.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	timeout, err := provider.Timeout(cfg+".Timeout", a.Timeout)
	if err != nil {
		return nil, err
	}
	return &Client{
		base: base + "/2010-04-01/Accounts/" + url.PathEscape(a.AccountSID),
		user: user, pass: pass,
		http: provider.Client{Provider: "twilio", HTTP: provider.HTTPClient(a.HTTPClient), Timeout: timeout, Classify: classify},
	}, nil
}

// credentials checks the SIDs and picks the Basic auth pair: the API key
// when one is given, the account's auth token otherwise.
func credentials(cfg string, a Account) (user, pass string, err error) {
	if !strings.HasPrefix(a.AccountSID, "AC") {
		return "", "", provider.ConfigError(cfg+".AccountSID", `must be an account SID starting with "AC"`)
	}
	if a.APIKeySID == "" && a.APIKeySecret == "" {
		if a.AuthToken == "" {
			return "", "", provider.ConfigError(cfg+".AuthToken", "is required unless APIKeySID and APIKeySecret are set")
		}
		return a.AccountSID, a.AuthToken, nil
	}
	if !strings.HasPrefix(a.APIKeySID, "SK") {
		return "", "", provider.ConfigError(cfg+".APIKeySID", `must be an API key SID starting with "SK"`)
	}
	if a.APIKeySecret == "" {
		return "", "", provider.ConfigError(cfg+".APIKeySecret", "is required with APIKeySID")
	}
	return a.APIKeySID, a.APIKeySecret, nil
}

// Post creates resource (such as "Messages" or "Calls") from form. It
// returns nil when Twilio accepted it, a *delivery.Error otherwise.
func (c *Client) Post(ctx context.Context, resource string, form url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+resource+".json", strings.NewReader(form.Encode()))
	if err != nil {
		return &delivery.Error{Provider: "twilio", Err: delivery.ErrUnsupported}
	}
	req.SetBasicAuth(c.user, c.pass)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return c.http.Do(ctx, req)
}

// apiError is Twilio's error answer. Its message is not kept: it may
// repeat the phone number.
type apiError struct {
	Code json.Number `json:"code"`
}

// classify maps Twilio's error codes; see twilio.com/docs/api/errors.
func classify(status int, body []byte) (string, error) {
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return "", nil
	}
	n, err := strconv.Atoi(e.Code.String())
	if err != nil || n <= 0 {
		return "", nil
	}
	return strconv.Itoa(n), reason(n)
}

// reason maps the Twilio error codes a deployment meets on day one to the
// reasons of package delivery; nil leaves the answer to the HTTP status.
func reason(code int) error {
	switch code {
	case 21211, 21217, 21265: // invalid 'To' number; number does not appear to be valid; 'To' is a short code
		return delivery.ErrInvalidNumber
	case 21614, 21635: // 'To' is not a mobile number; 'To' cannot be a landline
		return delivery.ErrLandline
	case 21408, 21215: // geo permissions for SMS and for calls
		return delivery.ErrRegionNotPermitted
	case 21612, 21214: // 'To' not reachable from this sender by SMS; 'To' cannot be reached by a call
		return fmt.Errorf("%w: destination not reachable from this sender", delivery.ErrRegionNotPermitted)
	case 21610: // recipient replied STOP
		return delivery.ErrOptedOut
	case 20429: // too many requests
		return delivery.ErrThrottled
	case 20003, 20005: // authentication failed; account not active
		return delivery.ErrUnauthorized
	case 21608, 21219: // a trial account may only message or call the numbers it verified
		return fmt.Errorf("%w: trial account, destination not verified", delivery.ErrUnauthorized)
	case 21212, 21210, 21601, 21606, 21659, 21660, 21661:
		// invalid 'From'; caller ID not verified; 'From' not an SMS number
		// of the account, not message-capable, not Twilio's (or still
		// porting), not the account's, not SMS-capable
		return delivery.ErrSenderInvalid
	}
	return nil
}
