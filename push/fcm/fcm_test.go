package fcm_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/fcm"
)

var now = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// tokenServer stands in for Google's OAuth 2.0 token endpoint: it checks
// the service account's signed assertion as Google documents it and
// hands out numbered access tokens.
type tokenServer struct {
	*httptest.Server
	t       *testing.T
	key     *rsa.PublicKey
	email   string
	expires int // expires_in of the tokens it hands out
	status  int // non-zero: refuse with this status

	mu     sync.Mutex
	issued int
}

func newTokenServer(t *testing.T, key *rsa.PublicKey, email string) *tokenServer {
	ts := &tokenServer{t: t, key: key, email: email, expires: 3600}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	t := ts.t
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/token", r.URL.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	require.NoError(t, r.ParseForm())
	assert.Equal(t, "urn:ietf:params:oauth:grant-type:jwt-bearer", r.PostForm.Get("grant_type"))
	ts.checkAssertion(r.PostForm.Get("assertion"), ts.URL+"/token")
	w.Header().Set("Content-Type", "application/json")
	if ts.status != 0 {
		w.WriteHeader(ts.status)
		_, _ = fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)
		return
	}
	ts.mu.Lock()
	ts.issued++
	n := ts.issued
	ts.mu.Unlock()
	_, _ = fmt.Fprintf(w, `{"access_token":"ya29.test-%d","token_type":"Bearer","expires_in":%d}`, n, ts.expires)
}

// checkAssertion verifies the JWT the service account signed: RS256 with
// the key, kid the key's ID, and the claims iss, scope, aud, iat, exp.
func (ts *tokenServer) checkAssertion(jwt, aud string) {
	t := ts.t
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	var header, claims map[string]any
	decodePart(t, parts[0], &header)
	decodePart(t, parts[1], &claims)
	assert.Equal(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": "key-1"}, header)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	require.NoError(t, rsa.VerifyPKCS1v15(ts.key, crypto.SHA256, sum[:], sig), "assertion not signed with the service account's key")
	assert.Equal(t, ts.email, claims["iss"])
	assert.Equal(t, fcm.Scope, claims["scope"])
	assert.Equal(t, aud, claims["aud"])
	iat, exp := claims["iat"].(float64), claims["exp"].(float64)
	assert.InDelta(t, float64(time.Now().Unix()), iat, 60)
	assert.Equal(t, 3600.0, exp-iat)
}

func decodePart(t *testing.T, s string, v any) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}

// rsaKey is the service account's key, made once: RSA key generation
// is slow under the race detector.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// account is a service-account key file whose token_uri is a tokenServer.
type account struct {
	json   []byte
	tokens *tokenServer
	pem    string
}

func newAccount(t *testing.T) *account {
	t.Helper()
	key := rsaKey()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	p := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	email := "twostep@example-project.iam.gserviceaccount.com"
	ts := newTokenServer(t, &key.PublicKey, email)
	raw, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "example-project", "private_key_id": "key-1", "private_key": p,
		"client_email": email, "client_id": "1234567890", "token_uri": ts.URL + "/token",
	})
	require.NoError(t, err)
	return &account{json: raw, tokens: ts, pem: p}
}

func newSender(t *testing.T, acc *account, api *providertest.Server, tweak func(*fcm.Config)) *fcm.Sender {
	t.Helper()
	cfg := fcm.Config{ServiceAccountJSON: acc.json, BaseURL: api.URL, Clock: func() time.Time { return now }}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := fcm.New(cfg)
	require.NoError(t, err)
	return s
}

const deviceToken = "fcm-token:APA91bH-test_token.0123456789"

func notification() push.Notification {
	return push.Notification{
		Platform: "android", Token: deviceToken, Title: "Sign in to Example?", Body: "Open the app and pick the number shown on the screen.",
		Language: "en", ChallengeID: "c2345678901234567890123456", EnrollmentID: "abcdefghijklmnopqrstuvwxyz", ExpiresAt: now.Add(2 * time.Minute),
	}
}

// TestNotifyRequest checks every field of the request against FCM's HTTP v1
// reference: the endpoint, the bearer token, and the message JSON with its
// token, notification, data, Android options and APNs headers.
func TestNotifyRequest(t *testing.T) {
	acc := newAccount(t)
	api := providertest.New(t, providertest.Reply{Status: 200, Body: `{"name":"projects/example-project/messages/0:1500415314455276%31bd1c9631bd1c96"}`})
	s := newSender(t, acc, api, nil)
	require.NoError(t, s.Notify(context.Background(), notification()))

	reqs := api.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v1/projects/example-project/messages:send", r.Path)
	assert.Equal(t, "Bearer ya29.test-1", r.Header.Get("Authorization"))
	assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
	assert.Contains(t, r.Header.Get("User-Agent"), "twostep")
	assert.JSONEq(t, `{"message": {
		"token": "`+deviceToken+`",
		"notification": {"title": "Sign in to Example?", "body": "Open the app and pick the number shown on the screen."},
		"data": {"challenge": "c2345678901234567890123456", "enrollment": "abcdefghijklmnopqrstuvwxyz"},
		"android": {"priority": "HIGH", "ttl": "120s", "collapse_key": "abcdefghijklmnopqrstuvwxyz"},
		"apns": {
			"headers": {"apns-push-type": "alert", "apns-priority": "10", "apns-expiration": "1796634120", "apns-collapse-id": "abcdefghijklmnopqrstuvwxyz"},
			"payload": {"aps": {"alert": {"title": "Sign in to Example?", "body": "Open the app and pick the number shown on the screen."}, "sound": "default"}}
		}
	}}`, string(r.Body))
	assert.NotContains(t, string(r.Body), "number\"", "a push never carries the number")
}

// TestProjectID: Config.ProjectID wins over the key file's.
func TestProjectID(t *testing.T) {
	acc := newAccount(t)
	api := providertest.New(t, providertest.Reply{Status: 200, Body: `{}`})
	s := newSender(t, acc, api, func(c *fcm.Config) { c.ProjectID = "other-project" })
	require.NoError(t, s.Notify(context.Background(), notification()))
	assert.Equal(t, "/v1/projects/other-project/messages:send", api.Requests()[0].Path)
}

// TestTokenRefresh: an access token is reused while it is valid and
// replaced once it is about to expire.
func TestTokenRefresh(t *testing.T) {
	tests := map[string]struct {
		expiresIn int
		want      []string
	}{
		"valid for an hour: one token":         {3600, []string{"Bearer ya29.test-1", "Bearer ya29.test-1", "Bearer ya29.test-1"}},
		"about to expire: a new one each time": {5, []string{"Bearer ya29.test-1", "Bearer ya29.test-2", "Bearer ya29.test-3"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			acc := newAccount(t)
			acc.tokens.expires = tt.expiresIn
			api := providertest.New(t, providertest.Reply{Status: 200, Body: `{}`})
			s := newSender(t, acc, api, nil)
			for range tt.want {
				require.NoError(t, s.Notify(context.Background(), notification()))
			}
			var got []string
			for _, r := range api.Requests() {
				got = append(got, r.Header.Get("Authorization"))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestErrors maps FCM's documented error answers to delivery's reasons.
func TestErrors(t *testing.T) {
	fcmError := func(code int, status, errorCode string) string {
		return fmt.Sprintf(`{"error":{"code":%d,"message":"Requested entity was not found: `+deviceToken+`","status":%q,"details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":%q}]}}`, code, status, errorCode)
	}
	tests := map[string]struct {
		reply      providertest.Reply
		reason     error
		code       string
		retryAfter time.Duration
	}{
		"unregistered":         {providertest.Reply{Status: 404, Body: fcmError(404, "NOT_FOUND", "UNREGISTERED")}, delivery.ErrUnregistered, "UNREGISTERED", 0},
		"invalid token":        {providertest.Reply{Status: 400, Body: fcmError(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")}, delivery.ErrUnregistered, "INVALID_ARGUMENT", 0},
		"token field":          {providertest.Reply{Status: 400, Body: `{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token"}]}]}}`}, delivery.ErrUnregistered, "INVALID_ARGUMENT", 0},
		"invalid data":         {providertest.Reply{Status: 400, Body: `{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value"}]}]}}`}, delivery.ErrRefused, "INVALID_ARGUMENT", 0},
		"sender mismatch":      {providertest.Reply{Status: 403, Body: fcmError(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")}, delivery.ErrUnauthorized, "SENDER_ID_MISMATCH", 0},
		"apns auth":            {providertest.Reply{Status: 401, Body: fcmError(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")}, delivery.ErrUnauthorized, "THIRD_PARTY_AUTH_ERROR", 0},
		"access token refused": {providertest.Reply{Status: 401, Body: `{"error":{"code":401,"status":"UNAUTHENTICATED"}}`}, delivery.ErrUnauthorized, "UNAUTHENTICATED", 0},
		"quota":                {providertest.Reply{Status: 429, Body: fcmError(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), Header: map[string]string{"Retry-After": "30"}}, delivery.ErrThrottled, "QUOTA_EXCEEDED", 30 * time.Second},
		"unavailable":          {providertest.Reply{Status: 503, Body: fcmError(503, "UNAVAILABLE", "UNAVAILABLE"), Header: map[string]string{"Retry-After": "5"}}, delivery.ErrUnavailable, "UNAVAILABLE", 5 * time.Second},
		"internal":             {providertest.Reply{Status: 500, Body: fcmError(500, "INTERNAL", "INTERNAL")}, delivery.ErrUnavailable, "INTERNAL", 0},
		"not json":             {providertest.Reply{Status: 502, Body: `<html>bad gateway</html>`}, delivery.ErrUnavailable, "", 0},
		"project unknown":      {providertest.Reply{Status: 404, Body: `{"error":{"code":404,"status":"NOT_FOUND"}}`}, delivery.ErrRefused, "NOT_FOUND", 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			acc := newAccount(t)
			api := providertest.New(t, tt.reply)
			err := newSender(t, acc, api, nil).Notify(context.Background(), notification())
			require.ErrorIs(t, err, tt.reason)
			var de *delivery.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "fcm", de.Provider)
			assert.Equal(t, tt.reply.Status, de.Status)
			assert.Equal(t, tt.code, de.Code)
			assert.Equal(t, tt.retryAfter, de.RetryAfter)
			providertest.NoSecrets(t, err, deviceToken, "ya29.test-1", acc.pem)
		})
	}
}

// TestTokenEndpointErrors: a refused key is ErrUnauthorized, an endpoint
// that fails ErrUnavailable; nothing goes to FCM without a token.
func TestTokenEndpointErrors(t *testing.T) {
	tests := map[string]struct {
		status int
		reason error
	}{
		"invalid grant": {400, delivery.ErrUnauthorized},
		"unauthorized":  {401, delivery.ErrUnauthorized},
		"failing":       {503, delivery.ErrUnavailable},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			acc := newAccount(t)
			acc.tokens.status = tt.status
			api := providertest.New(t, providertest.Reply{Status: 200, Body: `{}`})
			err := newSender(t, acc, api, nil).Notify(context.Background(), notification())
			require.ErrorIs(t, err, tt.reason)
			var de *delivery.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.status, de.Status)
			assert.Equal(t, "invalid_grant", de.Code)
			assert.Empty(t, api.Requests())
			providertest.NoSecrets(t, err, acc.pem, deviceToken)
		})
	}
}

// TestRefusedBeforeSending: a token that cannot be an FCM token is
// ErrUnregistered (so that push forgets it), an expired request or a
// notification without a title ErrUnsupported; nothing is sent.
func TestRefusedBeforeSending(t *testing.T) {
	tests := map[string]struct {
		change func(*push.Notification)
		reason error
	}{
		"no token":       {func(n *push.Notification) { n.Token = "" }, delivery.ErrUnregistered},
		"space in token": {func(n *push.Notification) { n.Token = "abc def" }, delivery.ErrUnregistered},
		"line feed":      {func(n *push.Notification) { n.Token = "abc\ndef" }, delivery.ErrUnregistered},
		"overlong token": {func(n *push.Notification) { n.Token = strings.Repeat("a", 4097) }, delivery.ErrUnregistered},
		"expired":        {func(n *push.Notification) { n.ExpiresAt = now }, delivery.ErrUnsupported},
		"no title":       {func(n *push.Notification) { n.Title = "" }, delivery.ErrUnsupported},
		"no challenge":   {func(n *push.Notification) { n.ChallengeID = "" }, delivery.ErrUnsupported},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			acc := newAccount(t)
			api := providertest.New(t, providertest.Reply{Status: 200, Body: `{}`})
			n := notification()
			tt.change(&n)
			err := newSender(t, acc, api, nil).Notify(context.Background(), n)
			require.ErrorIs(t, err, tt.reason)
			assert.Empty(t, api.Requests())
			acc.tokens.mu.Lock()
			defer acc.tokens.mu.Unlock()
			assert.Zero(t, acc.tokens.issued, "no token fetched for a message that does not go out")
		})
	}
}

// TestTimeout: an FCM that does not answer is ErrUnavailable after
// Config.Timeout.
func TestTimeout(t *testing.T) {
	acc := newAccount(t)
	api := providertest.New(t, providertest.Reply{Hang: true})
	err := newSender(t, acc, api, func(c *fcm.Config) { c.Timeout = 100 * time.Millisecond }).Notify(context.Background(), notification())
	require.ErrorIs(t, err, delivery.ErrUnavailable)
	providertest.NoSecrets(t, err, deviceToken, "ya29.test-1")
}

func TestNew(t *testing.T) {
	acc := newAccount(t)
	withField := func(k, v string) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(acc.json, &m))
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		raw, err := json.Marshal(m)
		require.NoError(t, err)
		return raw
	}
	tests := map[string]struct {
		cfg   fcm.Config
		field string
	}{
		"no key":               {fcm.Config{}, "fcm.Config.ServiceAccountJSON"},
		"not JSON":             {fcm.Config{ServiceAccountJSON: []byte("not json")}, "fcm.Config.ServiceAccountJSON"},
		"user credentials":     {fcm.Config{ServiceAccountJSON: withField("type", "authorized_user")}, "fcm.Config.ServiceAccountJSON"},
		"no private key":       {fcm.Config{ServiceAccountJSON: withField("private_key", "")}, "fcm.Config.ServiceAccountJSON"},
		"plain http token_uri": {fcm.Config{ServiceAccountJSON: withField("token_uri", "http://oauth2.example.com/token")}, "fcm.Config.ServiceAccountJSON"},
		"no project":           {fcm.Config{ServiceAccountJSON: withField("project_id", "")}, "fcm.Config.ProjectID"},
		"bad project":          {fcm.Config{ServiceAccountJSON: acc.json, ProjectID: "a/b"}, "fcm.Config.ProjectID"},
		"plain http API":       {fcm.Config{ServiceAccountJSON: acc.json, BaseURL: "http://fcm.example.com"}, "fcm.Config.BaseURL"},
		"negative timeout":     {fcm.Config{ServiceAccountJSON: acc.json, Timeout: -time.Second}, "fcm.Config.Timeout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := fcm.New(tt.cfg)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			providertest.NoSecrets(t, err, acc.pem)
		})
	}
	s, err := fcm.New(fcm.Config{ServiceAccountJSON: acc.json})
	require.NoError(t, err)
	assert.NotNil(t, s)
}
