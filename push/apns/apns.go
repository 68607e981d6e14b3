// Package apns sends twostep's push messages through the Apple Push
// Notification service: a push.Notifier for iPhone apps.
//
// The Sender speaks APNs' provider API over HTTP/2 with token-based
// authentication: a provider token, a JWT signed with ES256 by the
// team's APNs signing key (the .p8 file from the Apple Developer
// account), carrying the key's ID (kid), the team ID (iss) and when it
// was made (iat). Apple refuses a token older than an hour and one
// renewed more often than every 20 minutes, so the Sender makes a new one
// every 50 minutes and shares it between all requests.
//
// Each message is an alert push ("Sign in to …?") with the data
// {"challenge": …, "enrollment": …} beside "aps", telling the app which
// sign-in request to poll for; it carries neither the number nor the
// nonce. A device token APNs no longer knows, or that is not one, is an
// error wrapping delivery.ErrUnregistered; package push then forgets it
// and the app keeps working by polling.
//
// This package is a module of its own, so that importers of twostep's
// core do not get github.com/golang-jwt/jwt/v5.
package apns

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
	"github.com/twostep/twostep/push"
)

// APNs' servers.
const (
	// Production is the server for apps from the App Store and TestFlight.
	Production = "https://api.push.apple.com"
	// Development is the server for apps built by Xcode with the
	// development entitlement.
	Development = "https://api.sandbox.push.apple.com"
)

// TokenLifetime is how long a provider token is used before a new one is
// made: Apple wants a new one at least every hour and at most every 20
// minutes.
const TokenLifetime = 50 * time.Minute

// Config configures a Sender. Key, KeyID, TeamID and Topic are required;
// the zero value of every other field is a useful default.
type Config struct {
	// Key is the APNs signing key: the contents of the AuthKey_<KeyID>.p8
	// file, a PEM-encoded P-256 private key. It is a secret: keep it out
	// of logs and source control.
	Key []byte
	// KeyID is the key's 10-character identifier, the kid of the
	// provider tokens.
	KeyID string
	// TeamID is the developer team's 10-character identifier, the iss of
	// the provider tokens.
	TeamID string
	// Topic is the app's bundle ID, such as "com.example.twostep": the
	// apns-topic of every request.
	Topic string
	// BaseURL is the APNs server: Production (the default when empty)
	// or Development.
	BaseURL string
	// HTTPClient sends the requests; it must speak HTTP/2, as APNs
	// requires. Nil means a client of the Sender's own whose transport
	// speaks only HTTP/2.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means 10 seconds.
	Timeout time.Duration
	// Clock returns the current time, for the provider tokens' iat. Nil
	// means time.Now.
	Clock func() time.Time
}

// Sender sends push messages through APNs. It is safe for concurrent use.
type Sender struct {
	cfg    Config
	base   string
	key    *ecdsa.PrivateKey
	client provider.Client
	clock  func() time.Time

	mu     sync.Mutex
	token  string    // the current provider token; empty when none is usable
	issued time.Time // its iat
}

var _ push.Notifier = (*Sender)(nil)

// New checks cfg and returns a Sender. It does not contact Apple. A
// refused field is a *factor.ConfigError; its text never contains the key.
func New(cfg Config) (*Sender, error) {
	key, err := jwt.ParseECPrivateKeyFromPEM(cfg.Key)
	if err != nil || key.Curve != elliptic.P256() {
		return nil, provider.ConfigError("apns.Config.Key", "must be the PEM-encoded P-256 private key of an APNs .p8 file")
	}
	if !alnum(cfg.KeyID, 10) {
		return nil, provider.ConfigError("apns.Config.KeyID", "must be the key's 10-character ID")
	}
	if !alnum(cfg.TeamID, 10) {
		return nil, provider.ConfigError("apns.Config.TeamID", "must be the team's 10-character ID")
	}
	if !bundleID(cfg.Topic) {
		return nil, provider.ConfigError("apns.Config.Topic", "must be the app's bundle ID, such as com.example.app")
	}
	base, err := provider.BaseURL("apns.Config.BaseURL", cfg.BaseURL, Production)
	if err != nil {
		return nil, err
	}
	timeout, err := provider.Timeout("apns.Config.Timeout", cfg.Timeout)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http2Client()
	}
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Sender{
		cfg: cfg, base: base, key: key, clock: clock,
		client: provider.Client{Provider: "apns", HTTP: hc, Timeout: timeout, Classify: classify},
	}, nil
}

// http2Client returns a client whose transport speaks only HTTP/2 over
// TLS, as APNs requires.
func http2Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP2(true)
	return &http.Client{Transport: t}
}

// Notify sends n to the device with token n.Token (hex, as the app got it
// from iOS): an alert push with n.Title and n.Body, apns-priority 10, and
// apns-expiration n.ExpiresAt, after which APNs drops it undelivered. A
// newer push for the same enrollment replaces an undelivered older one
// (apns-collapse-id). A failure is a *delivery.Error; a token APNs does
// not know (410 Unregistered, ExpiredToken, 400 BadDeviceToken,
// DeviceTokenNotForTopic), or that is not one, wraps
// delivery.ErrUnregistered.
func (s *Sender) Notify(ctx context.Context, n push.Notification) error {
	if !deviceToken(n.Token) {
		return &delivery.Error{Provider: "apns", Err: fmt.Errorf("%w: not an APNs device token", delivery.ErrUnregistered)}
	}
	if n.Title == "" || n.ChallengeID == "" || n.EnrollmentID == "" || n.ExpiresAt.IsZero() {
		return &delivery.Error{Provider: "apns", Err: fmt.Errorf("%w: a notification needs a title, a challenge, an enrollment and an expiry", delivery.ErrUnsupported)}
	}
	body, err := json.Marshal(payload{
		APS:        aps{Alert: alert{Title: n.Title, Body: n.Body}, Sound: "default", InterruptionLevel: "time-sensitive"},
		Challenge:  n.ChallengeID,
		Enrollment: n.EnrollmentID,
	})
	if err != nil {
		return &delivery.Error{Provider: "apns", Err: fmt.Errorf("%w: %w", delivery.ErrUnsupported, err)}
	}
	token, err := s.providerToken()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/3/device/"+n.Token, bytes.NewReader(body))
	if err != nil {
		return &delivery.Error{Provider: "apns", Err: fmt.Errorf("%w: %w", delivery.ErrUnsupported, err)}
	}
	req.Header.Set("Authorization", "bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("apns-topic", s.cfg.Topic)
	req.Header.Set("apns-push-type", "alert")
	req.Header.Set("apns-priority", "10")
	req.Header.Set("apns-expiration", strconv.FormatInt(n.ExpiresAt.Unix(), 10))
	req.Header.Set("apns-collapse-id", n.EnrollmentID)
	err = s.client.Do(ctx, req)
	if code := errorCode(err); code == "ExpiredProviderToken" || code == "InvalidProviderToken" {
		s.dropToken(token) // the next push makes a new one
	}
	return err
}

// providerToken returns the current provider token, making a new one when
// there is none or it is TokenLifetime old.
func (s *Sender) providerToken() (string, error) {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && now.Sub(s.issued) < TokenLifetime && !now.Before(s.issued) {
		return s.token, nil
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": s.cfg.TeamID, "iat": now.Unix()})
	t.Header["kid"] = s.cfg.KeyID
	signed, err := t.SignedString(s.key)
	if err != nil {
		return "", &delivery.Error{Provider: "apns", Err: fmt.Errorf("%w: provider token: %w", delivery.ErrUnauthorized, err)}
	}
	s.token, s.issued = signed, now
	return signed, nil
}

// dropToken forgets the provider token APNs refused, unless another
// request already replaced it.
func (s *Sender) dropToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if subtle.ConstantTimeCompare([]byte(s.token), []byte(token)) == 1 {
		s.token = ""
	}
}
