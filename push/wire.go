package push

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Version is the protocol version this package speaks; it is the "v"
// field of every request and the first line of every signed text.
const Version = 1

// The purposes of signed texts, their second line.
const (
	purposeRegister = "register"
	purposePoll     = "poll"
	purposeAnswer   = "answer"
)

// The decisions an answer carries.
const (
	// DecisionApprove approves a sign-in request with the number the
	// user picked.
	DecisionApprove = "approve"
	// DecisionDeny denies it, with a reason.
	DecisionDeny = "deny"
)

// The reasons of a denial.
const (
	// ReasonNotMe means the user did not try to sign in: a suspicious
	// sign-in, reported to the host.
	ReasonNotMe = "not_me"
	// ReasonCancelled means the user changed their mind.
	ReasonCancelled = "cancelled"
)

// The platforms a device may register as.
const (
	PlatformAndroid = "android"
	PlatformIOS     = "ios"
	PlatformOther   = "other"
)

// b64 is the encoding of every binary field: base64url without padding.
var b64 = base64.RawURLEncoding

// registerRequest is the body of POST {url}/register. See PROTOCOL.md.
type registerRequest struct {
	V          int    `json:"v"`
	User       string `json:"user"`
	Enrollment string `json:"enrollment"`
	Secret     string `json:"secret"`
	PublicKey  string `json:"public_key"`
	PushToken  string `json:"push_token"`
	Platform   string `json:"platform"`
	DeviceName string `json:"device_name"`
	Timestamp  int64  `json:"timestamp"`
	Signature  string `json:"signature"`
}

// signedText returns the text the device signs for r, given the URL of
// the server it talks to.
func (r *registerRequest) signedText(origin string) []byte {
	return canonical(purposeRegister, origin, r.User, r.Enrollment, r.Secret, r.PublicKey, r.PushToken, r.Platform, r.DeviceName, strconv.FormatInt(r.Timestamp, 10))
}

// pollRequest is the body of POST {url}/poll.
type pollRequest struct {
	V          int    `json:"v"`
	User       string `json:"user"`
	Enrollment string `json:"enrollment"`
	Timestamp  int64  `json:"timestamp"`
	Signature  string `json:"signature"`
}

// signedText returns the text the device signs for r.
func (r *pollRequest) signedText(origin string) []byte {
	return canonical(purposePoll, origin, r.User, r.Enrollment, strconv.FormatInt(r.Timestamp, 10))
}

// answerRequest is the body of POST {url}/answer.
type answerRequest struct {
	V          int    `json:"v"`
	User       string `json:"user"`
	Enrollment string `json:"enrollment"`
	Challenge  string `json:"challenge"`
	Nonce      string `json:"nonce"`
	Decision   string `json:"decision"`
	Reason     string `json:"reason"`
	Number     string `json:"number"`
	Timestamp  int64  `json:"timestamp"`
	Signature  string `json:"signature"`
}

// signedText returns the text the device signs for r.
func (r *answerRequest) signedText(origin string) []byte {
	return canonical(purposeAnswer, origin, r.User, r.Enrollment, r.Challenge, r.Nonce, r.Decision, r.Reason, r.Number, strconv.FormatInt(r.Timestamp, 10))
}

// request is one sign-in request as a poll returns it.
type request struct {
	Challenge string   `json:"challenge"`
	Nonce     string   `json:"nonce"`
	Numbers   []string `json:"numbers"`
	Context   Context  `json:"context"`
	CreatedAt int64    `json:"created_at"`
	ExpiresAt int64    `json:"expires_at"`
}

// pollResponse is the body of a successful poll.
type pollResponse struct {
	Requests []request `json:"requests"`
}

// reply is the body of a successful registration or answer, and of every
// error.
type reply struct {
	// Result is "registered", "approved" or "denied" on success.
	Result string `json:"result,omitempty"`
	// Reason says why an answer was denied: "wrong_number", "not_me" or
	// "cancelled".
	Reason string `json:"reason,omitempty"`
	// Error is set instead on failure: "malformed", "refused",
	// "rate_limited" or "server".
	Error string `json:"error,omitempty"`
}

// canonical joins the protocol's version, a purpose and fields, each
// followed by a line feed. No field may hold a line feed (checkField).
func canonical(purpose string, fields ...string) []byte {
	n := len("twostep-push-v1\n") + len(purpose) + 1
	for _, f := range fields {
		n += len(f) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, "twostep-push-v"...)
	b = strconv.AppendInt(b, Version, 10)
	b = append(b, '\n')
	b = append(b, purpose...)
	b = append(b, '\n')
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, '\n')
	}
	return b
}

// errField is the malformed-request error; it names the field, never its
// value.
type errField string

func (e errField) Error() string { return "push: malformed field " + string(e) }

// checkField refuses a field longer than max bytes, not valid UTF-8, or
// holding a control character, which would break the signed text.
func checkField(name, s string, max int) error {
	if len(s) > max || !utf8.ValidString(s) {
		return errField(name)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return errField(name)
		}
	}
	return nil
}

// parsePublicKey reads an uncompressed P-256 point, base64url encoded.
func parsePublicKey(s string) (*ecdsa.PublicKey, error) {
	raw, err := b64.DecodeString(s)
	if err != nil || len(raw) != 65 {
		return nil, errField("public_key")
	}
	k, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return nil, errField("public_key")
	}
	return k, nil
}

// errSignature is a signature that does not verify.
var errSignature = errors.New("push: signature does not verify")

// verify checks an ECDSA P-256 signature (ASN.1 DER, base64url) over text.
func verify(k *ecdsa.PublicKey, text []byte, sig string) error {
	raw, err := b64.DecodeString(sig)
	if err != nil || len(raw) > 80 {
		return errSignature
	}
	sum := sha256.Sum256(text)
	if !ecdsa.VerifyASN1(k, sum[:], raw) {
		return errSignature
	}
	return nil
}

// trimPath returns the last element of a request path.
func trimPath(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}
