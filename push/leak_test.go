package push_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

// wire records the phone's requests and the server's replies to them,
// except the replies to polls, which hand the device its requests' nonces
// by design.
type wire struct {
	mu      sync.Mutex
	bodies  [][]byte
	replies []string
}

func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	reply, err := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(reply))
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bodies = append(w.bodies, b)
	if !strings.HasSuffix(req.URL.Path, "/poll") {
		w.replies = append(w.replies, string(reply))
	}
	return resp, err
}

// last returns the last request body whose field has value.
func (w *wire) last(t *testing.T, field, value string) []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.bodies) - 1; i >= 0; i-- {
		var m map[string]any
		require.NoError(t, json.Unmarshal(w.bodies[i], &m))
		if m[field] == value {
			return w.bodies[i]
		}
	}
	t.Fatalf("no request with %s %q", field, value)
	return nil
}

// TestNoSecretLeaks drives every request of the protocol, accepted and
// refused (enrolment, a wrong and a replayed secret, polls, approve, deny,
// "not me", a wrong number, replayed, forged, stale and foreign answers,
// malformed bodies), and then searches everything that left the package
// in the open (log lines, audit events and alerts, the errors the Go API
// and the client returned, the replies on the wire) for the secrets of
// the exchange: the enrolment secret, the push token, the device's key
// (private and public), every nonce and every signature.
func TestNoSecretLeaks(t *testing.T) {
	ev := newEnv(t, nil)
	ctx := context.Background()
	w := &wire{}
	secrets := map[string]string{}
	secret := func(what string, vs ...string) {
		for _, v := range vs {
			if len(v) >= 6 {
				secrets[v] = what
			}
		}
	}
	var errs []error
	keep := func(err error) error {
		if err != nil {
			errs = append(errs, err)
		}
		return err
	}

	s, err := ev.f.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice"}, ev.clock.Now())
	require.NoError(t, err)
	inv, err := pushclient.ParseURI(s.URI)
	require.NoError(t, err)
	key := newKey(t)
	c := &pushclient.Client{Key: key, HTTP: &http.Client{Transport: w}}
	d := must(t, keep, func() (*pushclient.Registered, error) {
		bad := *inv
		bad.Secret = strings.Repeat("a", len(inv.Secret))
		_, err := c.Register(ctx, &bad, pushclient.AppInfo{Platform: "ios", DeviceName: "iPhone"}, ev.clock.Now())
		require.Error(t, keep(err))
		return c.Register(ctx, inv, pushclient.AppInfo{PushToken: "secret-push-token", Platform: "ios", DeviceName: "iPhone"}, ev.clock.Now())
	})
	_, err = c.Register(ctx, inv, pushclient.AppInfo{Platform: "ios", DeviceName: "iPhone"}, ev.clock.Now())
	require.Error(t, keep(err), "the secret is single use")
	p := &phone{c: c, d: d, user: "alice", enroll: inv.Enrollment}
	bob := ev.enrol("bob")
	raw, err := key.PublicKey.Bytes()
	require.NoError(t, err)
	secret("enrolment secret", inv.Secret, s.URI)
	secret("push token", "secret-push-token")
	priv, err := key.Bytes()
	require.NoError(t, err)
	for _, b := range [][]byte{priv, raw} {
		secret("device key", hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), fmt.Sprint(b))
	}
	secret("device key", new(big.Int).SetBytes(priv).String())

	answer := func(decide func(r pushclient.Request, number string) (*pushclient.Reply, error)) pushclient.Request {
		sent := ev.loginAfterCooldown(p)
		r := ev.request(p)
		_, err := decide(r, sent.ScreenDigits)
		keep(err)
		secret("nonce", r.Nonce)
		return r
	}
	approved := answer(func(r pushclient.Request, n string) (*pushclient.Reply, error) {
		return c.Approve(ctx, d, r, n, ev.clock.Now())
	})
	answer(func(r pushclient.Request, n string) (*pushclient.Reply, error) {
		return c.Deny(ctx, d, r, push.ReasonCancelled, ev.clock.Now())
	})
	answer(func(r pushclient.Request, n string) (*pushclient.Reply, error) {
		return c.Approve(ctx, d, r, wrong(r, n), ev.clock.Now())
	})
	answer(func(r pushclient.Request, n string) (*pushclient.Reply, error) {
		// Stale, then forged, then another user's request, then right.
		_, err := c.Approve(ctx, d, r, n, ev.clock.Now().Add(-2*time.Minute))
		require.Error(t, keep(err))
		_, err = bob.c.Approve(ctx, bob.d, r, n, ev.clock.Now())
		require.Error(t, keep(err))
		return c.Deny(ctx, d, r, push.ReasonNotMe, ev.clock.Now())
	})
	// A replayed approval, a forged signature and malformed bodies.
	replay := w.last(t, "nonce", approved.Nonce)
	forged := bytes.Replace(replay, []byte(`"signature":"`), []byte(`"signature":"A`), 1)
	for _, body := range [][]byte{replay, forged, []byte(`{"v":1,"user":"alice\n"}`), []byte(`{"v":2}`)} {
		resp, err := http.Post(ev.url+"/answer", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		reply, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden}, resp.StatusCode, "%s", reply)
		w.replies = append(w.replies, string(reply))
	}
	_, err = ev.f.Challenge(ctx, push.LoginRequest{UserID: "alice", EnrollmentID: p.enroll}, ev.clock.Now().Add(time.Minute))
	require.ErrorIs(t, keep(err), push.ErrBlocked)
	_, err = ev.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: approved.Challenge}, ev.clock.Now())
	keep(err)

	for _, b := range w.bodies {
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		if sig, ok := m["signature"].(string); ok {
			secret("signature", sig)
		}
	}
	out := map[string]string{"log": ev.logs.String(), "wire replies": strings.Join(w.replies, "\n")}
	for i, err := range errs {
		out[fmt.Sprintf("error %d", i)] = fmt.Sprintf("%v | %+v | %#v", err, err, err.Error()) + factor.UserMessage(err, "en") + factor.UserMessage(err, "nl")
	}
	for _, evs := range []*events{ev.events, ev.alerts} {
		for i, e := range evs.list {
			out[fmt.Sprintf("event %d (%s)", i, e.Type)] = fmt.Sprintf("%+v", e)
		}
	}
	require.NotEmpty(t, ev.logs.Lines())
	require.Equal(t, 1, ev.alerts.count(push.EventNotMe))
	require.GreaterOrEqual(t, len(errs), 5)
	for where, text := range out {
		for s, what := range secrets {
			assert.False(t, strings.Contains(text, s), "%s holds the %s", where, what)
		}
	}
}

// must runs fn and fails the test on its error, which it keeps.
func must[T any](t *testing.T, keep func(error) error, fn func() (T, error)) T {
	t.Helper()
	v, err := fn()
	require.NoError(t, keep(err))
	return v
}
