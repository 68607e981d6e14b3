package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/voice/twilio"
)

func Example() {
	// A stand-in for api.twilio.com; leave BaseURL empty in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println(r.PostFormValue("Twiml"))
		w.WriteHeader(http.StatusCreated)
	}))
	defer api.Close()

	sender, err := twilio.New(twilio.Config{
		AccountSID:  "AC0123456789abcdef0123456789abcdef",
		AuthToken:   "your-auth-token",
		From:        "+3197010000000",
		CallbackURL: "https://login.example.com/twostep/voice/keypad",
		BaseURL:     api.URL,
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	spoken := factor.Message{Kind: factor.KindVoice, To: "+31201234567", Code: "123456", Language: "nl", Text: "Uw inlogcode is: 1, 2, 3, 4, 5, 6. Ik herhaal: 1, 2, 3, 4, 5, 6."}
	fmt.Println(sender.Send(ctx, spoken))

	keypad := factor.Message{Kind: factor.KindVoice, To: "+31201234567", Code: "47", Keypad: true, ChallengeID: "c1",
		Language: "en", Text: "Type the two digits shown on your screen."}
	fmt.Println(sender.Send(ctx, keypad))
	// Output:
	// POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json
	// <Response><Pause length="1"></Pause><Say language="nl-NL" voice="Polly.Lotte">Uw inlogcode is: 1, 2, 3, 4, 5, 6. Ik herhaal: 1, 2, 3, 4, 5, 6.</Say></Response>
	// <nil>
	// POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json
	// <Response><Gather input="dtmf" numDigits="2" action="https://login.example.com/twostep/voice/keypad?challenge=c1&amp;lang=en" method="POST" timeout="10"><Say language="en-US" voice="Polly.Joanna">Type the two digits shown on your screen.</Say></Gather><Say language="en-US" voice="Polly.Joanna">We did not receive any input. Goodbye.</Say></Response>
	// <nil>
}

func ExampleValidator() {
	v := &twilio.Validator{AuthToken: "your-auth-token", PublicURL: "https://login.example.com"}

	// A callback as Twilio sends it (here signed with Sign, as in tests).
	form := url.Values{"CallSid": {"CA1"}, "Digits": {"47"}}
	sig := twilio.Sign(v.AuthToken, "https://login.example.com/twostep/voice/keypad?challenge=c1", form)
	r := httptest.NewRequest(http.MethodPost, "/twostep/voice/keypad?challenge=c1", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(twilio.SignatureHeader, sig)
	fmt.Println(v.Authenticate(r), r.PostFormValue("Digits"))

	forged := httptest.NewRequest(http.MethodPost, "/twostep/voice/keypad?challenge=c2", strings.NewReader(form.Encode()))
	forged.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	forged.Header.Set(twilio.SignatureHeader, sig)
	fmt.Println(v.Authenticate(forged))
	// Output:
	// <nil> 47
	// twilio: bad webhook signature: signature does not match
}
