package push_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
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
