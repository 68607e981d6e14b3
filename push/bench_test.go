package push_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

// answerBody builds a signed approval of p's open request, as the app
// sends it.
func answerBody(tb testing.TB, ev *env, p *phone, number string) []byte {
	r := ev.request(p)
	ts := ev.clock.Now().Unix()
	text := pushclient.SignedText("answer", p.d.URL, p.user, p.enroll, r.Challenge, r.Nonce, "approve", "", number, strconv.FormatInt(ts, 10))
	sig, err := p.c.Sign(text)
	require.NoError(tb, err)
	b, err := json.Marshal(map[string]any{"v": 1, "user": p.user, "enrollment": p.enroll, "challenge": r.Challenge, "nonce": r.Nonce,
		"decision": "approve", "reason": "", "number": number, "timestamp": ts, "signature": sig})
	require.NoError(tb, err)
	return b
}

// BenchmarkAnswer measures one approval through the http.Handler on
// memstore: parsing, the signature check, the compare-and-swap and the
// Manager's ApproveKeypad. BenchmarkVerifyASN1 is the signature check
// alone over the same text; the README compares the two.
func BenchmarkAnswer(b *testing.B) {
	ev := newEnvWith(b, func(c *push.Config) { c.Notifier = nil }, func(c *factor.Config) {
		c.Budget = factor.Budget{PerDestinationHour: -1, PerDestinationDay: -1, PerUserDay: -1, GlobalPerMinute: -1}
		c.Logger = nil
	})
	p := ev.enrol("alice")
	for b.Loop() {
		b.StopTimer()
		ev.clock.Advance(31 * time.Second)
		sent := ev.login(p)
		body := answerBody(b, ev, p, sent.ScreenDigits)
		req := httptest.NewRequest(http.MethodPost, "/twostep/push/answer", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		b.StartTimer()
		ev.f.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("answer: %d %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkVerifyASN1(b *testing.B) {
	k := newKey(b)
	text := pushclient.SignedText("answer", "http://127.0.0.1:1234/twostep/push", "alice", "abcdefghijklmnopqrstuvwxyz", "c2345678901234567890123456", base64.RawURLEncoding.EncodeToString(make([]byte, 32)), "approve", "", "42", "1796634000")
	sum := sha256.Sum256(text)
	sig, err := ecdsa.SignASN1(nil, k, sum[:])
	require.NoError(b, err)
	for b.Loop() {
		s := sha256.Sum256(text)
		if !ecdsa.VerifyASN1(&k.PublicKey, s[:], sig) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkVerifyASN1Parsed is BenchmarkVerifyASN1 with the key read from
// its stored bytes on every call, as a server with many devices does.
func BenchmarkVerifyASN1Parsed(b *testing.B) {
	k := newKey(b)
	raw, err := k.PublicKey.Bytes()
	require.NoError(b, err)
	text := pushclient.SignedText("answer", "http://127.0.0.1:1234/twostep/push", "alice", "abcdefghijklmnopqrstuvwxyz", "c2345678901234567890123456", base64.RawURLEncoding.EncodeToString(make([]byte, 32)), "approve", "", "42", "1796634000")
	sum := sha256.Sum256(text)
	sig, err := ecdsa.SignASN1(nil, k, sum[:])
	require.NoError(b, err)
	for b.Loop() {
		pub, err := ecdsa.ParseUncompressedPublicKey(k.Curve, raw)
		if err != nil {
			b.Fatal(err)
		}
		s := sha256.Sum256(text)
		if !ecdsa.VerifyASN1(pub, s[:], sig) {
			b.Fatal("does not verify")
		}
	}
}
