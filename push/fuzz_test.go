package push_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/push/pushclient"
)

// FuzzHandler feeds every request the handler parses (register, poll and
// answer) with arbitrary bodies: none may fail the server (500) or panic,
// and none without a valid signature may succeed.
func FuzzHandler(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"user":"alice","enrollment":"e","secret":"s","public_key":"BA","push_token":"","platform":"ios","device_name":"x","timestamp":1796634000,"signature":"MEUCIQ"}`,
		`{"v":1,"user":"alice","enrollment":"e","timestamp":1796634000,"signature":"MEUCIQ"}`,
		`{"v":1,"user":"alice","enrollment":"e","challenge":"c","nonce":"n","decision":"approve","reason":"","number":"42","timestamp":1796634000,"signature":"MEUCIQ"}`,
		`{"v":2}`, `[]`, `{"user":"\u0000"}`, ``,
	} {
		for op := range 3 {
			f.Add(uint8(op), []byte(seed))
		}
	}
	ev := newEnvWith(f, nil, nil)
	p := ev.enrol("alice")
	ev.login(p)
	ops := []string{"register", "poll", "answer"}
	f.Fuzz(func(t *testing.T, i uint8, body []byte) {
		op := ops[int(i)%len(ops)]
		rec := httptest.NewRecorder()
		ev.f.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/twostep/push/"+op, bytes.NewReader(body)))
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden}, rec.Code, "op %q body %q: %s", op, body, rec.Body)
	})
}

// FuzzAnswerSigned feeds the answer's fields, signed by the enrolled
// phone, so that the checks behind the signature are reached: the
// decision, reason and number, the challenge and nonce, the timestamp.
// None may fail the server or panic, and only the right number for the
// open request's challenge and nonce approves it.
func FuzzAnswerSigned(f *testing.F) {
	f.Add("approve", "", "", true, true, int64(0))
	f.Add("approve", "", "00", true, true, int64(0))
	f.Add("deny", "not_me", "", true, true, int64(0))
	f.Add("deny", "cancelled", "42", true, false, int64(0))
	f.Add("approve", "not_me", "4\n2", false, true, int64(-61))
	f.Add("maybe", "", "١٢", true, true, int64(3600))
	ev := newEnvWith(f, nil, nil)
	p := ev.enrol("alice")
	sent := ev.login(p)
	open := ev.request(p)
	f.Fuzz(func(t *testing.T, decision, reason, number string, sameChallenge, sameNonce bool, skew int64) {
		if number == "" && decision == "approve" && reason == "" {
			number = sent.ScreenDigits
		}
		challenge, nonce := open.Challenge, open.Nonce
		if !sameChallenge {
			challenge = "x" + challenge[1:]
		}
		if !sameNonce {
			nonce = "A" + nonce[1:]
		}
		ts := ev.clock.Now().Unix() + skew
		text := pushclient.SignedText("answer", p.d.URL, p.user, p.enroll, challenge, nonce, decision, reason, number, strconv.FormatInt(ts, 10))
		sig, err := p.c.Sign(text)
		require.NoError(t, err)
		body, err := json.Marshal(map[string]any{"v": 1, "user": p.user, "enrollment": p.enroll, "challenge": challenge, "nonce": nonce,
			"decision": decision, "reason": reason, "number": number, "timestamp": ts, "signature": sig})
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		ev.f.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/twostep/push/answer", bytes.NewReader(body)))
		require.Contains(t, []int{http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusTooManyRequests}, rec.Code, "%s", rec.Body)
		if strings.Contains(rec.Body.String(), `"approved"`) {
			assert.Equal(t, "approve", decision)
			assert.Equal(t, sent.ScreenDigits, number)
			assert.True(t, sameChallenge && sameNonce && skew >= -60 && skew <= 60)
		}
	})
}
