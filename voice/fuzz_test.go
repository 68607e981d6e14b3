package voice_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/voice"
)

// FuzzHandler sends arbitrary keypad callbacks (query, body and content
// type) to a Handler over a live keypad challenge. CHALLENGE and DIGITS in
// the input stand for the challenge's ID and the digits on screen, so that
// the fuzzer reaches the approval. The Handler never panics, answers 204
// or 400 on a healthy store, and approves only when the screen's digits
// were sent.
func FuzzHandler(f *testing.F) {
	f.Fuzz(func(t *testing.T, query, body, contentType string) {
		ctx := context.Background()
		fv, err := voice.New(voice.Config{AppName: "Fuzz"})
		if err != nil {
			t.Fatal(err)
		}
		env := messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{fv}})
		e, err := env.M.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindVoice, Address: "020-1234567"}, env.Now())
		if err != nil {
			t.Fatal(err)
		}
		sent, err := env.M.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID, Keypad: true}, env.Now())
		if err != nil {
			t.Fatal(err)
		}
		query = strings.ReplaceAll(query, "CHALLENGE", sent.ChallengeID)
		body = strings.ReplaceAll(body, "DIGITS", sent.ScreenDigits)
		h, err := voice.NewHandler(env.M, voice.AuthenticatorFunc(func(*http.Request) error { return nil }))
		if err != nil {
			t.Fatal(err)
		}
		h.Clock = env.Now
		req := &http.Request{
			Method: http.MethodPost, URL: &url.URL{Path: "/keypad", RawQuery: query}, Host: "example.com",
			Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(strings.NewReader(body)),
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(ctx))
		if rec.Code != http.StatusNoContent && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q %q %q", rec.Code, query, body, contentType)
		}
		state, err := env.M.ChallengeStatus(ctx, user, sent.ChallengeID, env.Now())
		if err != nil {
			t.Fatal(err)
		}
		if state == factor.ChallengeApproved && !strings.Contains(body+query, sent.ScreenDigits) {
			t.Fatalf("approved without the digits: %q %q", query, body)
		}
	})
}
