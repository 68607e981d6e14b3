package twilio_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/twostep/twostep/internal/twilioapi"
)

// FuzzMessageStatusHandler sends arbitrary status callbacks (query, body
// and content type) to a MessageStatusHandler over a live challenge,
// signed as Twilio signs them or not. CHALLENGE in the query stands for
// the challenge's ID, so that the fuzzer reaches the store. The handler
// never panics, never answers 500 on a healthy store, refuses every
// unsigned request with 403 and changes nothing then, and whatever it
// records never counts an attempt or touches the code.
func FuzzMessageStatusHandler(f *testing.F) {
	f.Add("challenge=CHALLENGE&send=1", "MessageStatus=undelivered&ErrorCode=30003", "application/x-www-form-urlencoded", true)
	f.Add("challenge=CHALLENGE&send=1", "MessageStatus=delivered", "application/x-www-form-urlencoded", false)
	f.Add("challenge=CHALLENGE&send=99999999999999999999", "MessageStatus=failed", "application/x-www-form-urlencoded", true)
	f.Add("challenge=CHALLENGE&challenge=x&send=1", "MessageStatus=sent", "text/plain", true)
	f.Fuzz(func(t *testing.T, query, body, contentType string, sign bool) {
		ctx := context.Background()
		env := newReceiptEnv(t)
		m := env.send(t)
		before, err := env.Store.GetChallenge(ctx, m.ChallengeID)
		if err != nil {
			t.Fatal(err)
		}
		query = strings.ReplaceAll(query, "CHALLENGE", m.ChallengeID)
		req := &http.Request{
			Method: http.MethodPost, URL: &url.URL{Path: "/twilio/sms", RawQuery: query}, Host: "example.com",
			RequestURI: "/twilio/sms?" + query,
			Header:     http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(strings.NewReader(body)),
		}
		if form, err := url.ParseQuery(body); sign && err == nil && strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
			req.Header.Set(twilioapi.SignatureHeader, twilioapi.Sign(token, env.srv.URL+req.RequestURI, form))
		}
		rec := httptest.NewRecorder()
		h := newHandler(env)
		h.ServeHTTP(rec, req.WithContext(ctx))
		switch rec.Code {
		case http.StatusNoContent, http.StatusBadRequest, http.StatusForbidden:
		default:
			t.Fatalf("status %d for %q %q %q", rec.Code, query, body, contentType)
		}
		after, err := env.Store.GetChallenge(ctx, m.ChallengeID)
		if err != nil {
			t.Fatal(err)
		}
		if !sign && after.Delivery != before.Delivery {
			t.Fatalf("an unsigned request changed the delivery: %q %q", query, body)
		}
		if after.Tries != before.Tries || after.Sends != before.Sends || !after.UsedAt.IsZero() || string(after.CodeHash) != string(before.CodeHash) {
			t.Fatalf("a receipt touched the code: %q %q", query, body)
		}
	})
}
