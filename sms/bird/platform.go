package bird

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/provider"
)

// Category is the category of every SMS the Sender sends through the
// platform API: one-time codes.
const Category = "authentication"

// newPlatform returns a Sender for Bird's platform API.
func newPlatform(cfg Config, timeout time.Duration) (*Sender, error) {
	if cfg.From == "" {
		return nil, provider.ConfigError("bird.Config.From", "is required with APIKey")
	}
	def := ""
	if region := keyRegion(cfg.APIKey); region != "" {
		def = "https://" + region + ".platform.bird.com"
	} else if cfg.BaseURL == "" {
		return nil, provider.ConfigError("bird.Config.APIKey", `must be a platform API key "bk_<region>_…", or BaseURL must be set`)
	}
	base, err := provider.BaseURL("bird.Config.BaseURL", cfg.BaseURL, def)
	if err != nil {
		return nil, err
	}
	return &Sender{
		endpoint: base + "/v1/sms/messages",
		key:      cfg.APIKey,
		from:     cfg.From,
		http:     provider.Client{Provider: "bird", HTTP: provider.HTTPClient(cfg.HTTPClient), Timeout: timeout, Classify: classifyPlatform},
	}, nil
}

// keyRegion returns the region of a key "bk_<region>_<token>", such as
// "eu1", or "" for any other key.
func keyRegion(key string) string {
	parts := strings.SplitN(key, "_", 3)
	if len(parts) != 3 || parts[0] != "bk" || parts[2] == "" || len(parts[1]) < 3 {
		return ""
	}
	r := parts[1]
	if r[0] < 'a' || r[0] > 'z' || r[1] < 'a' || r[1] > 'z' || !provider.Digits(r[2:]) {
		return ""
	}
	return r
}

// platformMessage is the body of POST /v1/sms/messages.
type platformMessage struct {
	To       string `json:"to"`
	From     string `json:"from"`
	Text     string `json:"text"`
	Category string `json:"category"`
}

// sendPlatform posts m to the platform API, trying once more with the
// same Idempotency-Key when the first attempt got no answer or a 5xx.
func (s *Sender) sendPlatform(ctx context.Context, m factor.Message) error {
	payload, err := json.Marshal(platformMessage{To: m.To, From: s.from, Text: m.Text, Category: Category})
	if err != nil {
		return &delivery.Error{Provider: "bird", Err: delivery.ErrUnsupported}
	}
	key, err := idempotencyKey(m)
	if err != nil {
		return &delivery.Error{Provider: "bird", Err: fmt.Errorf("%w: %w", delivery.ErrUnavailable, err)}
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(payload))
		if err != nil {
			return &delivery.Error{Provider: "bird", Err: delivery.ErrUnsupported}
		}
		req.Header.Set("Authorization", "Bearer "+s.key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Idempotency-Key", key)
		err = s.http.Do(ctx, req)
		var de *delivery.Error
		if err == nil || attempt == 2 || ctx.Err() != nil || !errors.As(err, &de) || !errors.Is(de.Err, delivery.ErrUnavailable) {
			return err
		}
	}
}

// idempotencyKey names one send of one code: the same challenge sent at
// the same time gets the same key, so that no retry, by this Sender or by
// the host, sends it twice. The challenge ID is hashed, not disclosed. A
// message without a challenge gets a random key.
func idempotencyKey(m factor.Message) (string, error) {
	if m.ChallengeID != "" && !m.SentAt.IsZero() {
		sum := sha256.Sum256([]byte("twostep sms/bird\x00" + m.ChallengeID + "\x00" + strconv.FormatInt(m.SentAt.UnixNano(), 10)))
		return "twostep-code/" + hex.EncodeToString(sum[:16]), nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "twostep-code/" + hex.EncodeToString(b), nil
}

// platformError is the platform API's error answer, {"error": {…}}. Its
// message is not kept: it may repeat the phone number.
type platformError struct {
	Error struct {
		Type  string `json:"type"`
		Code  string `json:"code"`
		Name  string `json:"name"`
		Param string `json:"param"`
	} `json:"error"`
}

// classifyPlatform maps the platform API's error answer: its type, the
// field it names and, for SMS, its name.
func classifyPlatform(status int, raw []byte) (string, error) {
	var pe platformError
	if json.Unmarshal(raw, &pe) != nil {
		return "", nil
	}
	e := pe.Error
	code := ident(e.Code)
	if code == "" {
		code = ident(e.Name)
	}
	switch {
	case e.Type == "auth_error" || e.Type == "permission_error":
		return code, delivery.ErrUnauthorized
	case e.Type == "billing_error":
		return code, fmt.Errorf("%w: billing", delivery.ErrUnauthorized)
	case e.Type == "rate_limit_error":
		return code, delivery.ErrThrottled
	case e.Type == "internal_error" || e.Type == "service_unavailable_error":
		return code, delivery.ErrUnavailable
	case e.Type == "conflict_error" && e.Name == "request_in_progress":
		return code, fmt.Errorf("%w: an earlier attempt is in progress", delivery.ErrUnavailable)
	case e.Name == "SMSDestinationNotEnabled":
		return code, delivery.ErrRegionNotPermitted
	case e.Name == "SMSNoEligibleSender" || e.Param == "from":
		return code, delivery.ErrSenderInvalid
	case e.Param == "to" || strings.HasPrefix(e.Param, "to["):
		return code, delivery.ErrInvalidNumber
	}
	return code, nil
}
