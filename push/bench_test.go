package push_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
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

// BenchmarkPairedAnswer is the performance target of the answer: one
// approval through the http.Handler (an httptest recorder, memstore),
// against ecdsa.VerifyASN1 alone over the same canonical bytes and
// signature. Each round sets up a new sign-in request untimed (the
// challenge, the phone's poll and its signed answer), then times the
// handler serving the answer and the bare signature check once each, in
// turns, so that each goes first half the time. It reports the medians of
// both and of the per-round ratio handler/verify, which holds up on a
// busy machine better than the ratio of separate benchmarks.
func BenchmarkPairedAnswer(b *testing.B) {
	ev := newEnvWith(b, func(c *push.Config) { c.Notifier = nil }, func(c *factor.Config) {
		c.Budget = factor.Budget{PerDestinationHour: -1, PerDestinationDay: -1, PerUserDay: -1, GlobalPerMinute: -1}
		c.Logger = nil
	})
	p := ev.enrol("alice")
	pub := &p.c.Key.PublicKey
	var handler, bare, ratios []float64
	for round := 0; b.Loop(); round++ {
		b.StopTimer()
		ev.clock.Advance(31 * time.Second)
		sent := ev.login(p)
		body := answerBody(b, ev, p, sent.ScreenDigits)
		var a struct {
			Challenge, Nonce, Signature string
			Timestamp                   int64
		}
		require.NoError(b, json.Unmarshal(body, &a))
		text := pushclient.SignedText("answer", p.d.URL, p.user, p.enroll, a.Challenge, a.Nonce, "approve", "", sent.ScreenDigits, strconv.FormatInt(a.Timestamp, 10))
		sig, err := base64.RawURLEncoding.DecodeString(a.Signature)
		require.NoError(b, err)
		req := httptest.NewRequest(http.MethodPost, "/twostep/push/answer", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		b.StartTimer()

		serve := func() time.Duration {
			start := time.Now()
			ev.f.ServeHTTP(rec, req)
			return time.Since(start)
		}
		verify := func() time.Duration {
			start := time.Now()
			sum := sha256.Sum256(text)
			if !ecdsa.VerifyASN1(pub, sum[:], sig) {
				b.Fatal("does not verify")
			}
			return time.Since(start)
		}
		var h, v time.Duration
		if round%2 == 0 {
			h, v = serve(), verify()
		} else {
			v, h = verify(), serve()
		}
		if rec.Code != http.StatusOK {
			b.Fatalf("answer: %d %s", rec.Code, rec.Body)
		}
		handler, bare, ratios = append(handler, float64(h)), append(bare, float64(v)), append(ratios, float64(h)/float64(v))
	}
	b.ReportMetric(median(handler), "ns/handler")
	b.ReportMetric(median(bare), "ns/verify")
	b.ReportMetric(median(ratios), "handler/verify")
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
