package twilio

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
)

// ScriptParam is the query parameter of Config.ScriptURL that carries the
// sealed script of a spoken call.
const ScriptParam = "script"

// Human is the AnsweredBy value with which Twilio reports that a person
// answered. Every other value ("machine_start", "machine_end_beep",
// "machine_end_silence", "machine_end_other", "fax", "unknown") or none at
// all means the code is not read.
const Human = "human"

// script is what a spoken call says, sealed into the URL Twilio fetches
// once it knows who answered.
type script struct {
	Language string `json:"l"`
	Voice    string `json:"v,omitempty"`
	Text     string `json:"t"`
	Machine  string `json:"m"`
	Expires  int64  `json:"e,omitempty"` // Unix seconds; 0 for none
}

// scriptKey derives the key that seals scripts from the account's auth
// token, which every process that places calls or checks Twilio's
// signatures already holds.
func scriptKey(authToken string) []byte {
	h := hmac.New(sha256.New, []byte(authToken))
	h.Write([]byte("twostep voice/twilio script key v1"))
	return h.Sum(nil)
}

// scriptAD binds a sealed script to the number it was meant for.
func scriptAD(to string) []byte { return []byte("twostep voice script\x00" + to) }

func newAEAD(authToken string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(scriptKey(authToken))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealScript encrypts sc for a call to to, as URL-safe base64.
func sealScript(authToken, to string, sc script) (string, error) {
	aead, err := newAEAD(authToken)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(sc)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, scriptAD(to))), nil
}

// openScript reverses sealScript.
func openScript(authToken, to, sealed string) (script, error) {
	var sc script
	aead, err := newAEAD(authToken)
	if err != nil {
		return sc, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return sc, errors.New("twilio: malformed script")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], scriptAD(to))
	if err != nil {
		return sc, errors.New("twilio: script does not open")
	}
	return sc, json.Unmarshal(plain, &sc)
}

// scriptCall returns the form of a spoken call that waits for Twilio's
// answering-machine detection and then fetches its script from
// Config.ScriptURL.
func (s *Sender) scriptCall(m factor.Message) (url.Values, error) {
	v := s.voices.lookup(m.Language)
	sc := script{Language: v.Language, Voice: v.Name, Text: m.Text, Machine: v.Machine}
	if !m.ExpiresAt.IsZero() {
		sc.Expires = m.ExpiresAt.Unix()
	}
	sealed, err := sealScript(s.authToken, m.To, sc)
	if err != nil {
		return nil, &delivery.Error{Provider: "twilio", Err: errors.Join(delivery.ErrUnsupported, err)}
	}
	u := *s.scriptURL
	q := u.Query()
	q.Set(ScriptParam, sealed)
	u.RawQuery = q.Encode()
	return url.Values{
		"To": {m.To}, "From": {s.from}, "Url": {u.String()}, "Method": {http.MethodPost},
		"MachineDetection": {"Enable"}, "TimeLimit": {s.timeLimit},
	}, nil
}

// ScriptHandler answers the request Twilio makes for the script of a
// spoken call placed with Config.ScriptURL, once its answering-machine
// detection knows who answered. A person (AnsweredBy "human") hears the
// script, which reads the code twice; anyone or anything else hears
// Voice.Machine, without the code, and the call ends. A code that has
// expired is not read either.
//
// Replies: 405 for another method than POST, 403 for a request Validator
// refuses (or without a Validator). Everything else gets TwiML, so that
// Twilio never reads out an application error.
type ScriptHandler struct {
	// Validator checks Twilio's signature; its AuthToken also opens the
	// script, so it must be the AuthToken the Sender was configured with.
	// Required.
	Validator *Validator
	// Clock returns the current time. Nil means time.Now.
	Clock func() time.Time
}

// ServeHTTP answers one script request.
func (h *ScriptHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if h.Validator == nil || h.Validator.Authenticate(r) != nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	sc, err := openScript(h.Validator.AuthToken, r.PostForm.Get("To"), r.URL.Query().Get(ScriptParam))
	var verbs []any
	switch {
	case err != nil, sc.Expires != 0 && !h.now().Before(time.Unix(sc.Expires, 0)):
		verbs = []any{hangup{}}
	case r.PostForm.Get("AnsweredBy") == Human:
		v := Voice{Language: sc.Language, Name: sc.Voice}
		verbs = spoken(v, sc.Text).Verbs
	default:
		v := Voice{Language: sc.Language, Name: sc.Voice}
		verbs = []any{v.say(sc.Machine), hangup{}}
	}
	writeTwiML(w, response{Verbs: verbs})
}

func (h *ScriptHandler) now() time.Time {
	if h.Clock != nil {
		return h.Clock()
	}
	return time.Now()
}

type hangup struct {
	XMLName xml.Name `xml:"Hangup"`
}

// writeTwiML writes r as a TwiML document with status 200.
func writeTwiML(w http.ResponseWriter, r response) {
	b, err := xml.Marshal(r)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}
