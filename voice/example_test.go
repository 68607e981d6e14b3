package voice_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/voice"
)

// Keypad mode, as in seed 001: the page shows two digits, the call asks the
// user to type them, the provider posts them to the Handler, and the page,
// polling, completes the login. The provider is faked here; voice/twilio
// provides the caller and the Authenticator.
func Example_keypad() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

	voiceFactor, err := voice.New(voice.Config{AppName: "Acme"})
	if err != nil {
		panic(err)
	}
	var call factor.Message
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Factors: []factor.Factor{voiceFactor},
		Sender: factor.SenderFunc(func(_ context.Context, msg factor.Message) error {
			call = msg // a provider would place the call here
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}
	// A real Authenticator checks the provider's signature.
	trustAll := voice.AuthenticatorFunc(func(*http.Request) error { return nil })
	handler, err := voice.NewHandler(m, trustAll)
	if err != nil {
		panic(err)
	}
	handler.Clock = func() time.Time { return now }

	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindVoice, Address: "020-1234567"}, now)
	if err != nil {
		panic(err)
	}
	sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: e.ID, Language: "nl", Keypad: true}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println("screen shows", len(sent.ScreenDigits), "digits; the call says:")
	fmt.Println(call.Text)

	// The user types the digits; the provider posts them.
	form := url.Values{"Digits": {sent.ScreenDigits}}
	req := httptest.NewRequest(http.MethodPost, "/voice/keypad?challenge="+sent.ChallengeID, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println("provider got", rec.Code)

	state, _ := m.ChallengeStatus(ctx, "alice", sent.ChallengeID, now)
	fmt.Println("page polls:", state)
	_, err = m.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, now)
	fmt.Println("number confirmed:", err == nil)
	// Output:
	// screen shows 2 digits; the call says:
	// Hallo, dit is Acme. Toets nu de 2 cijfers die op uw scherm staan. Heeft u niet om deze oproep gevraagd? Hang dan op.
	// provider got 204
	// page polls: approved
	// number confirmed: true
}

// Spoken mode: the call reads the code out, digit by digit, twice.
func Example_spoken() {
	f, err := voice.New(voice.Config{AppName: "Acme"})
	if err != nil {
		panic(err)
	}
	sentAt := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	e := &factor.Enrollment{Kind: factor.KindVoice, Address: "+31201234567"}
	c := &factor.Challenge{ID: "c1", SentAt: sentAt, ExpiresAt: sentAt.Add(5 * time.Minute)}
	msg, err := f.Compose(e, c, "123456", "en-GB,en;q=0.9")
	if err != nil {
		panic(err)
	}
	fmt.Println(msg.Text)
	// Output:
	// Hello, this is Acme. Your verification code is: 1, 2, 3, 4, 5, 6. Again: 1, 2, 3, 4, 5, 6. The code is valid for 5 minutes. Do not share this code with anyone.
}
