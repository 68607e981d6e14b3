// Package fcm sends twostep's push messages through Firebase Cloud
// Messaging, HTTP v1 API: a push.Notifier for Android phones (and for iOS
// apps that receive their messages through FCM).
//
// The Sender authenticates with a Google service-account key (the JSON
// file from the Firebase console, "Service accounts"), through
// golang.org/x/oauth2: it signs a JWT with the key, exchanges it at the
// key's token_uri for an access token with the firebase.messaging scope,
// and reuses that token until shortly before it expires.
//
// Each message is a high-priority notification with the data
// {"challenge": …, "enrollment": …} that tells the app which sign-in
// request to poll for; it carries neither the number nor the nonce. A
// token FCM no longer knows is an error wrapping
// delivery.ErrUnregistered; package push then forgets it and the app
// keeps working by polling.
//
// This package is a module of its own, so that importers of twostep's
// core do not get golang.org/x/oauth2.
package fcm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
	"github.com/twostep/twostep/push"
)

// Scope is the OAuth 2.0 scope the access tokens are requested for.
const Scope = "https://www.googleapis.com/auth/firebase.messaging"

// maxToken bounds an FCM registration token; real ones are under 200
// bytes.
const maxToken = 4096

// Config configures a Sender. ServiceAccountJSON is required; the zero
// value of every other field is a useful default.
type Config struct {
	// ServiceAccountJSON is the service account's key file, as the
	// Firebase or Google Cloud console gives it (type
	// "service_account"). Its token_uri names where access tokens come
	// from; it must use https (plain http only to a loopback host, for
	// tests). It is a secret: keep it out of logs and source control.
	ServiceAccountJSON []byte
	// ProjectID is the Firebase project the messages are sent through.
	// Empty means the key file's project_id.
	ProjectID string
	// BaseURL is the FCM API; empty means https://fcm.googleapis.com.
	BaseURL string
	// HTTPClient sends the messages and the token requests; nil means a
	// client on http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each request, a token request included; zero means
	// 10 seconds.
	Timeout time.Duration
	// Clock returns the current time, from which a message's time to
	// live is counted. Nil means time.Now.
	Clock func() time.Time
}

// Sender sends push messages through FCM. It is safe for concurrent use.
type Sender struct {
	url    string
	client provider.Client
	tokens oauth2.TokenSource
	clock  func() time.Time
}

var _ push.Notifier = (*Sender)(nil)

// New checks cfg and returns a Sender. It does not contact Google: the
// first Notify fetches the first access token. A refused field is a
// *factor.ConfigError; its text never contains the key.
func New(cfg Config) (*Sender, error) {
	jc, err := google.JWTConfigFromJSON(cfg.ServiceAccountJSON, Scope)
	if err != nil || jc.Email == "" || len(jc.PrivateKey) == 0 {
		return nil, provider.ConfigError("fcm.Config.ServiceAccountJSON", `must be a service account's JSON key file (type "service_account", with client_email and private_key)`)
	}
	if _, err := provider.BaseURL("fcm.Config.ServiceAccountJSON", jc.TokenURL, ""); err != nil {
		return nil, provider.ConfigError("fcm.Config.ServiceAccountJSON", "token_uri must use https (plain http only to a loopback host)")
	}
	project := cfg.ProjectID
	if project == "" {
		var f struct {
			ProjectID string `json:"project_id"`
		}
		_ = json.Unmarshal(cfg.ServiceAccountJSON, &f)
		project = f.ProjectID
	}
	if project == "" || len(project) > 64 || url.PathEscape(project) != project {
		return nil, provider.ConfigError("fcm.Config.ProjectID", "required (or project_id in the key file), at most 64 bytes, letters, digits and dashes")
	}
	base, err := provider.BaseURL("fcm.Config.BaseURL", cfg.BaseURL, "https://fcm.googleapis.com")
	if err != nil {
		return nil, err
	}
	timeout, err := provider.Timeout("fcm.Config.Timeout", cfg.Timeout)
	if err != nil {
		return nil, err
	}
	hc := provider.HTTPClient(cfg.HTTPClient)
	// The token source outlives any one Notify, so its requests cannot
	// take their deadline from a Notify's context: its client has one
	// of its own.
	tokenClient := *hc
	tokenClient.Timeout = timeout
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Sender{
		url:    base + "/v1/projects/" + project + "/messages:send",
		client: provider.Client{Provider: "fcm", HTTP: hc, Timeout: timeout, Classify: classify},
		tokens: jc.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, &tokenClient)),
		clock:  clock,
	}, nil
}

// Notify sends n to n.Token: a notification with n.Title and n.Body, and
// the data naming the sign-in request. On Android it is a high-priority
// message that FCM keeps until n.ExpiresAt at most; through FCM to iOS an
// alert push with apns-priority 10 and apns-expiration n.ExpiresAt. A
// newer message for the same enrollment replaces an undelivered older
// one. A failure is a *delivery.Error; a token FCM does not know, or that
// is not a token at all, wraps delivery.ErrUnregistered.
func (s *Sender) Notify(ctx context.Context, n push.Notification) error {
	if err := checkNotification(n); err != nil {
		return err
	}
	ttl := n.ExpiresAt.Sub(s.clock()).Truncate(time.Second)
	if ttl < time.Second {
		return &delivery.Error{Provider: "fcm", Err: fmt.Errorf("%w: the sign-in request has expired", delivery.ErrUnsupported)}
	}
	body, err := json.Marshal(request{Message: message{
		Token:        n.Token,
		Notification: notification{Title: n.Title, Body: n.Body},
		Data:         map[string]string{"challenge": n.ChallengeID, "enrollment": n.EnrollmentID},
		Android:      android{Priority: "HIGH", TTL: strconv.FormatInt(int64(ttl/time.Second), 10) + "s", CollapseKey: n.EnrollmentID},
		APNs: apnsConfig{
			Headers: map[string]string{
				"apns-push-type":   "alert",
				"apns-priority":    "10",
				"apns-expiration":  strconv.FormatInt(n.ExpiresAt.Unix(), 10),
				"apns-collapse-id": n.EnrollmentID,
			},
			Payload: apnsPayload{APS: aps{Alert: notification{Title: n.Title, Body: n.Body}, Sound: "default"}},
		},
	}})
	if err != nil {
		return &delivery.Error{Provider: "fcm", Err: fmt.Errorf("%w: %w", delivery.ErrUnsupported, err)}
	}
	tok, err := s.token()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return &delivery.Error{Provider: "fcm", Err: fmt.Errorf("%w: %w", delivery.ErrUnsupported, err)}
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	tok.SetAuthHeader(req)
	return s.client.Do(ctx, req)
}

// token returns a valid access token, fetching a new one when the last is
// about to expire (the token source is safe for concurrent use and fetches
// one at a time). A refusal by the token endpoint is ErrUnauthorized;
// its answer is not kept, and the key never appears in an error.
func (s *Sender) token() (*oauth2.Token, error) {
	tok, err := s.tokens.Token()
	if err == nil {
		return tok, nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		var body struct {
			Error string `json:"error"` // such as "invalid_grant"; its description is not kept
		}
		_ = json.Unmarshal(re.Body, &body)
		e := &delivery.Error{Provider: "fcm", Status: re.Response.StatusCode, Code: ident(body.Error), Err: fmt.Errorf("access token: %w", provider.ByStatus(re.Response.StatusCode))}
		if re.Response.StatusCode == http.StatusBadRequest {
			// invalid_grant, invalid_client and the like: the key is
			// wrong, revoked or disabled.
			e.Err = fmt.Errorf("access token: %w", delivery.ErrUnauthorized)
		}
		return nil, e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its URL is the token endpoint, harmless, but its text is noise
	}
	return nil, &delivery.Error{Provider: "fcm", Err: fmt.Errorf("access token: %w: %w", delivery.ErrUnavailable, err)}
}

// checkNotification refuses, before anything is sent, a notification FCM
// would refuse: a token that cannot be one is ErrUnregistered, so that the
// push factor forgets it.
func checkNotification(n push.Notification) error {
	if n.Token == "" || len(n.Token) > maxToken || !printable(n.Token) {
		return &delivery.Error{Provider: "fcm", Err: fmt.Errorf("%w: not an FCM registration token", delivery.ErrUnregistered)}
	}
	if n.Title == "" || n.ChallengeID == "" || n.EnrollmentID == "" {
		return &delivery.Error{Provider: "fcm", Err: fmt.Errorf("%w: a notification needs a title, a challenge and an enrollment", delivery.ErrUnsupported)}
	}
	return nil
}

// printable reports whether s is printable ASCII without spaces, as FCM
// registration tokens are.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
