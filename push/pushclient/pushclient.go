// Package pushclient is the phone side of the twostep push protocol
// (push/PROTOCOL.md), in Go: enrol from the URI, poll for sign-in
// requests, approve or deny them. It is the reference for developers of a
// phone app and what twostep's tests and examples/phone use. It follows
// only what PROTOCOL.md says and imports nothing of package push; the
// caller keeps the device's P-256 key.
package pushclient

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Invite is what an enrolment URI carries.
type Invite struct {
	// URL is the server's push endpoint; requests go to URL + "/register"
	// and so on.
	URL string
	// User and Enrollment identify the user and the pending enrollment.
	User, Enrollment string
	// Secret is the one-time enrolment secret.
	Secret string
	// Issuer and Account name the service and the user, for display.
	Issuer, Account string
}

// ParseURI reads an enrolment URI, twostep-push://enroll?v=1&url=...
func ParseURI(uri string) (*Invite, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "twostep-push" || u.Host != "enroll" {
		return nil, errors.New("pushclient: not a twostep-push enrolment URI")
	}
	q := u.Query()
	if q.Get("v") != "1" {
		return nil, errors.New("pushclient: unsupported protocol version")
	}
	inv := &Invite{URL: q.Get("url"), User: q.Get("user"), Enrollment: q.Get("enrollment"), Secret: q.Get("secret"), Issuer: q.Get("issuer"), Account: q.Get("account")}
	if inv.URL == "" || inv.User == "" || inv.Enrollment == "" || inv.Secret == "" {
		return nil, errors.New("pushclient: enrolment URI lacks url, user, enrollment or secret")
	}
	return inv, nil
}

// Registered is a registered enrollment, as the app keeps it beside its key.
type Registered struct {
	URL        string `json:"url"`
	User       string `json:"user"`
	Enrollment string `json:"enrollment"`
	Issuer     string `json:"issuer"`
	Account    string `json:"account"`
}

// AppInfo is what the app tells the server about itself.
type AppInfo struct {
	// PushToken is the FCM or APNs token; empty means polling only.
	PushToken string
	// Platform is "android", "ios" or "other".
	Platform string
	// DeviceName is the name the user sees in their settings.
	DeviceName string
}

// Request is one sign-in request from a poll.
type Request struct {
	Challenge string   `json:"challenge"`
	Nonce     string   `json:"nonce"`
	Numbers   []string `json:"numbers"`
	Context   struct {
		App      string `json:"app"`
		Browser  string `json:"browser"`
		Location string `json:"location"`
	} `json:"context"`
	CreatedAt int64 `json:"created_at"`
	ExpiresAt int64 `json:"expires_at"`
}

// Reply is the server's answer to a registration or an answer.
type Reply struct {
	Result string `json:"result"`
	Reason string `json:"reason"`
}

// Error is a refused request: the HTTP status and the protocol's error
// code ("malformed", "refused", "rate_limited", "server").
type Error struct {
	Status int
	Code   string
}

// Error describes the refusal.
func (e *Error) Error() string {
	return fmt.Sprintf("pushclient: server answered %d %s", e.Status, e.Code)
}

// Client talks to servers for one device key.
type Client struct {
	// HTTP sends the requests. Nil means http.DefaultClient.
	HTTP *http.Client
	// Key is the device's private key, P-256.
	Key *ecdsa.PrivateKey
	// Rand is the randomness for signatures. Nil means crypto/rand.
	Rand io.Reader
}

// SignedText joins the protocol's version line, a purpose and fields, each
// followed by a line feed (PROTOCOL.md, "Signed text").
func SignedText(purpose string, fields ...string) []byte {
	var b bytes.Buffer
	b.WriteString("twostep-push-v1\n")
	b.WriteString(purpose)
	b.WriteByte('\n')
	for _, f := range fields {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// PublicKey returns the device's public key as the protocol sends it: the
// uncompressed point, base64url without padding.
func (c *Client) PublicKey() (string, error) {
	raw, err := c.Key.PublicKey.Bytes()
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// Sign signs text: ECDSA over SHA-256, ASN.1 DER, base64url.
func (c *Client) Sign(text []byte) (string, error) {
	sum := sha256.Sum256(text)
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	sig, err := ecdsa.SignASN1(r, c.Key, sum[:])
	if err != nil {
		return "", fmt.Errorf("pushclient: sign: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sig), nil
}

// Register registers the device for inv, proving possession of the key.
func (c *Client) Register(ctx context.Context, inv *Invite, reg AppInfo, now time.Time) (*Registered, error) {
	pub, err := c.PublicKey()
	if err != nil {
		return nil, err
	}
	ts := now.Unix()
	sig, err := c.Sign(SignedText("register", inv.URL, inv.User, inv.Enrollment, inv.Secret, pub, reg.PushToken, reg.Platform, reg.DeviceName, strconv.FormatInt(ts, 10)))
	if err != nil {
		return nil, err
	}
	body := map[string]any{"v": 1, "user": inv.User, "enrollment": inv.Enrollment, "secret": inv.Secret, "public_key": pub,
		"push_token": reg.PushToken, "platform": reg.Platform, "device_name": reg.DeviceName, "timestamp": ts, "signature": sig}
	var res Reply
	if err := c.post(ctx, inv.URL, "register", body, &res); err != nil {
		return nil, err
	}
	return &Registered{URL: inv.URL, User: inv.User, Enrollment: inv.Enrollment, Issuer: inv.Issuer, Account: inv.Account}, nil
}

// Poll returns the device's open sign-in requests.
func (c *Client) Poll(ctx context.Context, d *Registered, now time.Time) ([]Request, error) {
	ts := now.Unix()
	sig, err := c.Sign(SignedText("poll", d.URL, d.User, d.Enrollment, strconv.FormatInt(ts, 10)))
	if err != nil {
		return nil, err
	}
	var out struct {
		Requests []Request `json:"requests"`
	}
	err = c.post(ctx, d.URL, "poll", map[string]any{"v": 1, "user": d.User, "enrollment": d.Enrollment, "timestamp": ts, "signature": sig}, &out)
	return out.Requests, err
}

// Approve approves r with the number the user picked.
func (c *Client) Approve(ctx context.Context, d *Registered, r Request, number string, now time.Time) (*Reply, error) {
	return c.answer(ctx, d, r, "approve", "", number, now)
}

// Deny denies r; reason is "not_me" or "cancelled".
func (c *Client) Deny(ctx context.Context, d *Registered, r Request, reason string, now time.Time) (*Reply, error) {
	return c.answer(ctx, d, r, "deny", reason, "", now)
}

func (c *Client) answer(ctx context.Context, d *Registered, r Request, decision, reason, number string, now time.Time) (*Reply, error) {
	ts := now.Unix()
	sig, err := c.Sign(SignedText("answer", d.URL, d.User, d.Enrollment, r.Challenge, r.Nonce, decision, reason, number, strconv.FormatInt(ts, 10)))
	if err != nil {
		return nil, err
	}
	body := map[string]any{"v": 1, "user": d.User, "enrollment": d.Enrollment, "challenge": r.Challenge, "nonce": r.Nonce,
		"decision": decision, "reason": reason, "number": number, "timestamp": ts, "signature": sig}
	var res Reply
	if err := c.post(ctx, d.URL, "answer", body, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// post sends one request and decodes the answer into out.
func (c *Client) post(ctx context.Context, base, op string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/"+op, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("pushclient: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("pushclient: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("pushclient: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		return &Error{Status: resp.StatusCode, Code: e.Error}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("pushclient: unreadable answer: %w", err)
	}
	return nil
}
