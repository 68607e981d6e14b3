package apns_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/apns"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

const (
	keyID       = "ABC123DEFG"
	teamID      = "DEF123GHIJ"
	topic       = "com.example.twostep"
	deviceToken = "740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad"
)

// reply is one answer of the stand-in.
type reply struct {
	status int
	body   string
	hang   bool
}

// request is one request the stand-in received.
type request struct {
	proto  int
	method string
	path   string
	header http.Header
	body   []byte
}

// server stands in for APNs: HTTP/2 over TLS, recording every request.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	replies  []reply
	requests []request
}

func newServer(t *testing.T, replies ...reply) *server {
	s := &server{replies: replies}
	done := make(chan struct{})
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		rep := s.replies[min(len(s.requests), len(s.replies)-1)]
		s.requests = append(s.requests, request{proto: r.ProtoMajor, method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		s.mu.Unlock()
		if rep.hang {
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		w.Header().Set("apns-id", "EC1BF194-B3B2-424A-89A9-5A918A6E6B5C")
		if rep.body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	s.EnableHTTP2 = true
	s.StartTLS()
	t.Cleanup(func() { close(done); s.Close() })
	return s
}

func (s *server) received() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

// signingKey is an APNs signing key as a .p8 file holds it.
func signingKey(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// clock is a settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	srv    *server
	key    *ecdsa.PrivateKey
	pem    []byte
	clock  *clock
	sender *apns.Sender
}

func newFixture(t *testing.T, replies ...reply) *fixture {
	t.Helper()
	if len(replies) == 0 {
		replies = []reply{{status: 200}}
	}
	f := &fixture{srv: newServer(t, replies...), clock: &clock{now: t0}}
	f.key, f.pem = signingKey(t)
	var err error
	f.sender, err = apns.New(apns.Config{Key: f.pem, KeyID: keyID, TeamID: teamID, Topic: topic, BaseURL: f.srv.URL, HTTPClient: f.srv.Client(), Clock: f.clock.Now})
	require.NoError(t, err)
	return f
}

// bearer returns the provider token of a request.
func bearer(t *testing.T, r request) string {
	t.Helper()
	auth := r.header.Get("Authorization")
	require.True(t, strings.HasPrefix(auth, "bearer "), "authorization %q", auth)
	return strings.TrimPrefix(auth, "bearer ")
}

// checkToken verifies a provider token with the public key, as APNs
// does, and returns its iat.
func (f *fixture) checkToken(t *testing.T, token string) time.Time {
	t.Helper()
	parsed, err := jwt.Parse(token, func(tok *jwt.Token) (any, error) { return &f.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(teamID), jwt.WithIssuedAt(), jwt.WithTimeFunc(f.clock.Now))
	require.NoError(t, err, "provider token does not verify with the signing key")
	assert.Equal(t, map[string]any{"alg": "ES256", "kid": keyID, "typ": "JWT"}, parsed.Header)
	claims := parsed.Claims.(jwt.MapClaims)
	assert.Len(t, claims, 2, "claims are iss and iat only: %v", claims)
	iat, err := claims.GetIssuedAt()
	require.NoError(t, err)
	return iat.Time
}

func notification() push.Notification {
	return push.Notification{
		Platform: push.PlatformIOS, Token: deviceToken, Title: "Inloggen bij Example?", Body: "Open de app en kies het getal dat op het scherm staat.",
		Language: "nl", ChallengeID: "c2345678901234567890123456", EnrollmentID: "abcdefghijklmnopqrstuvwxyz", ExpiresAt: t0.Add(2 * time.Minute),
	}
}

// TestNotifyRequest checks every field Apple documents for a request:
// HTTP/2, POST /3/device/<token>, the bearer provider token with kid, iss
// and iat, apns-topic, apns-push-type alert, apns-priority 10,
// apns-expiration, apns-collapse-id, and the JSON payload.
func TestNotifyRequest(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.sender.Notify(context.Background(), notification()))
	reqs := f.srv.received()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, 2, r.proto, "APNs requires HTTP/2")
	assert.Equal(t, http.MethodPost, r.method)
	assert.Equal(t, "/3/device/"+deviceToken, r.path)
	assert.Equal(t, t0.Unix(), f.checkToken(t, bearer(t, r)).Unix())
	assert.Equal(t, topic, r.header.Get("apns-topic"))
	assert.Equal(t, "alert", r.header.Get("apns-push-type"))
	assert.Equal(t, "10", r.header.Get("apns-priority"))
	assert.Equal(t, "1796634120", r.header.Get("apns-expiration"))
	assert.Equal(t, "abcdefghijklmnopqrstuvwxyz", r.header.Get("apns-collapse-id"))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Empty(t, r.header.Get("apns-id"), "APNs makes the apns-id")
	assert.JSONEq(t, `{
		"aps": {"alert": {"title": "Inloggen bij Example?", "body": "Open de app en kies het getal dat op het scherm staat."}, "sound": "default", "interruption-level": "time-sensitive"},
		"challenge": "c2345678901234567890123456",
		"enrollment": "abcdefghijklmnopqrstuvwxyz"
	}`, string(r.body))
}

// TestTokenRefresh: one provider token serves every push for
// TokenLifetime (Apple refuses renewals more often than every 20
// minutes), then a new one with a new iat (Apple refuses tokens older
// than an hour).
func TestTokenRefresh(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	require.NoError(t, f.sender.Notify(ctx, notification()))
	f.clock.Add(20 * time.Minute)
	require.NoError(t, f.sender.Notify(ctx, notification()))
	f.clock.Add(apns.TokenLifetime - 20*time.Minute - time.Second)
	require.NoError(t, f.sender.Notify(ctx, notification()))
	f.clock.Add(time.Second)
	require.NoError(t, f.sender.Notify(ctx, notification()))
	f.clock.Add(time.Minute)
	require.NoError(t, f.sender.Notify(ctx, notification()))

	reqs := f.srv.received()
	require.Len(t, reqs, 5)
	first, renewed := bearer(t, reqs[0]), bearer(t, reqs[3])
	for i, r := range reqs {
		want := first
		if i >= 3 {
			want = renewed
		}
		assert.Equal(t, want, bearer(t, r), "request %d", i)
	}
	assert.NotEqual(t, first, renewed)
	assert.Equal(t, t0.Add(apns.TokenLifetime).Unix(), f.checkToken(t, renewed).Unix())
	assert.Less(t, apns.TokenLifetime, time.Hour)
	assert.GreaterOrEqual(t, apns.TokenLifetime, 20*time.Minute)
}

// TestRefusedProviderToken: after ExpiredProviderToken the next push
// carries a new provider token.
func TestRefusedProviderToken(t *testing.T) {
	f := newFixture(t, reply{status: 403, body: `{"reason":"ExpiredProviderToken"}`}, reply{status: 200})
	ctx := context.Background()
	err := f.sender.Notify(ctx, notification())
	require.ErrorIs(t, err, delivery.ErrUnauthorized)
	f.clock.Add(time.Second)
	require.NoError(t, f.sender.Notify(ctx, notification()))
	reqs := f.srv.received()
	require.Len(t, reqs, 2)
	assert.NotEqual(t, bearer(t, reqs[0]), bearer(t, reqs[1]))
	assert.Equal(t, t0.Add(time.Second).Unix(), f.checkToken(t, bearer(t, reqs[1])).Unix())
}

// TestErrors maps APNs' documented error answers to delivery's reasons.
func TestErrors(t *testing.T) {
	tests := map[string]struct {
		reply  reply
		reason error
		code   string
	}{
		"unregistered":       {reply{410, `{"reason":"Unregistered","timestamp":1796634000000}`, false}, delivery.ErrUnregistered, "Unregistered"},
		"expired token":      {reply{410, `{"reason":"ExpiredToken"}`, false}, delivery.ErrUnregistered, "ExpiredToken"},
		"bad device token":   {reply{400, `{"reason":"BadDeviceToken"}`, false}, delivery.ErrUnregistered, "BadDeviceToken"},
		"token of other app": {reply{400, `{"reason":"DeviceTokenNotForTopic"}`, false}, delivery.ErrUnregistered, "DeviceTokenNotForTopic"},
		"bad topic":          {reply{400, `{"reason":"BadTopic"}`, false}, delivery.ErrSenderInvalid, "BadTopic"},
		"topic disallowed":   {reply{400, `{"reason":"TopicDisallowed"}`, false}, delivery.ErrSenderInvalid, "TopicDisallowed"},
		"bad expiration":     {reply{400, `{"reason":"BadExpirationDate"}`, false}, delivery.ErrRefused, "BadExpirationDate"},
		"payload too large":  {reply{413, `{"reason":"PayloadTooLarge"}`, false}, delivery.ErrRefused, "PayloadTooLarge"},
		"invalid token":      {reply{403, `{"reason":"InvalidProviderToken"}`, false}, delivery.ErrUnauthorized, "InvalidProviderToken"},
		"forbidden":          {reply{403, `{"reason":"Forbidden"}`, false}, delivery.ErrUnauthorized, "Forbidden"},
		"too many requests":  {reply{429, `{"reason":"TooManyRequests"}`, false}, delivery.ErrThrottled, "TooManyRequests"},
		"too many renewals":  {reply{429, `{"reason":"TooManyProviderTokenUpdates"}`, false}, delivery.ErrThrottled, "TooManyProviderTokenUpdates"},
		"internal":           {reply{500, `{"reason":"InternalServerError"}`, false}, delivery.ErrUnavailable, "InternalServerError"},
		"shutdown":           {reply{503, `{"reason":"Shutdown"}`, false}, delivery.ErrUnavailable, "Shutdown"},
		"no body":            {reply{502, ``, false}, delivery.ErrUnavailable, ""},
		"reason not a name":  {reply{400, `{"reason":"<script>"}`, false}, delivery.ErrRefused, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, tt.reply)
			err := f.sender.Notify(context.Background(), notification())
			require.ErrorIs(t, err, tt.reason)
			var de *delivery.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "apns", de.Provider)
			assert.Equal(t, tt.reply.status, de.Status)
			assert.Equal(t, tt.code, de.Code)
			providertest.NoSecrets(t, err, deviceToken, bearer(t, f.srv.received()[0]), string(f.pem))
		})
	}
}

// TestRefusedBeforeSending: a token that cannot be an APNs token is
// ErrUnregistered (so that push forgets it), an incomplete notification
// ErrUnsupported; nothing is sent.
func TestRefusedBeforeSending(t *testing.T) {
	tests := map[string]struct {
		change func(*push.Notification)
		reason error
	}{
		"no token":     {func(n *push.Notification) { n.Token = "" }, delivery.ErrUnregistered},
		"not hex":      {func(n *push.Notification) { n.Token = strings.Repeat("zz", 32) }, delivery.ErrUnregistered},
		"odd length":   {func(n *push.Notification) { n.Token = deviceToken[1:] }, delivery.ErrUnregistered},
		"path":         {func(n *push.Notification) { n.Token = "../../3/device/" + deviceToken }, delivery.ErrUnregistered},
		"overlong":     {func(n *push.Notification) { n.Token = strings.Repeat("ab", 101) }, delivery.ErrUnregistered},
		"no title":     {func(n *push.Notification) { n.Title = "" }, delivery.ErrUnsupported},
		"no expiry":    {func(n *push.Notification) { n.ExpiresAt = time.Time{} }, delivery.ErrUnsupported},
		"no challenge": {func(n *push.Notification) { n.ChallengeID = "" }, delivery.ErrUnsupported},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			n := notification()
			tt.change(&n)
			require.ErrorIs(t, f.sender.Notify(context.Background(), n), tt.reason)
			assert.Empty(t, f.srv.received())
		})
	}
}

// TestTimeout: an APNs that does not answer is ErrUnavailable after
// Config.Timeout.
func TestTimeout(t *testing.T) {
	srv := newServer(t, reply{hang: true})
	_, p := signingKey(t)
	s, err := apns.New(apns.Config{Key: p, KeyID: keyID, TeamID: teamID, Topic: topic, BaseURL: srv.URL, HTTPClient: srv.Client(), Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	err = s.Notify(context.Background(), notification())
	require.ErrorIs(t, err, delivery.ErrUnavailable)
	providertest.NoSecrets(t, err, deviceToken)
}

func TestNew(t *testing.T) {
	_, p := signingKey(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	der384, err := x509.MarshalPKCS8PrivateKey(p384)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	derRSA, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	require.NoError(t, err)
	good := apns.Config{Key: p, KeyID: keyID, TeamID: teamID, Topic: topic}
	tests := map[string]struct {
		change func(*apns.Config)
		field  string
	}{
		"no key":           {func(c *apns.Config) { c.Key = nil }, "apns.Config.Key"},
		"not PEM":          {func(c *apns.Config) { c.Key = []byte("secret") }, "apns.Config.Key"},
		"P-384":            {func(c *apns.Config) { c.Key = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der384}) }, "apns.Config.Key"},
		"RSA":              {func(c *apns.Config) { c.Key = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: derRSA}) }, "apns.Config.Key"},
		"short key ID":     {func(c *apns.Config) { c.KeyID = "ABC" }, "apns.Config.KeyID"},
		"team ID":          {func(c *apns.Config) { c.TeamID = "DEF123GHI-" }, "apns.Config.TeamID"},
		"no topic":         {func(c *apns.Config) { c.Topic = "" }, "apns.Config.Topic"},
		"topic with path":  {func(c *apns.Config) { c.Topic = "com.example/app" }, "apns.Config.Topic"},
		"empty part":       {func(c *apns.Config) { c.Topic = "com..app" }, "apns.Config.Topic"},
		"plain http":       {func(c *apns.Config) { c.BaseURL = "http://api.push.apple.com" }, "apns.Config.BaseURL"},
		"negative timeout": {func(c *apns.Config) { c.Timeout = -time.Second }, "apns.Config.Timeout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := apns.New(cfg)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			providertest.NoSecrets(t, err, string(p))
		})
	}
	for _, topic := range []string{"com.example.app", "nl.cak.2fa-app", "app"} {
		cfg := good
		cfg.Topic = topic
		_, err := apns.New(cfg)
		require.NoError(t, err, topic)
	}
}
