package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/sms/twilio"
)

func Example() {
	// A stand-in for api.twilio.com; leave BaseURL empty in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		if r.PostFormValue("To") == "+31201234567" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":21614,"message":"not a mobile number","status":400}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer api.Close()

	sender, err := twilio.New(twilio.Config{
		AccountSID: "AC0123456789abcdef0123456789abcdef",
		AuthToken:  "your-auth-token",
		From:       "+3197010000000",
		BaseURL:    api.URL,
	})
	if err != nil {
		panic(err)
	}
	msg := factor.Message{Kind: factor.KindSMS, To: "+31612345678", Text: "Your code is 123456."}
	fmt.Println(sender.Send(context.Background(), msg))

	msg.To = "+31201234567"
	err = sender.Send(context.Background(), msg)
	fmt.Println(err)
	var de *delivery.Error
	if errors.As(err, &de) {
		fmt.Println(errors.Is(err, delivery.ErrLandline), de.Code, de.Retryable())
	}
	// Output:
	// POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json
	// <nil>
	// POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json
	// twilio: number cannot receive SMS (HTTP 400, code 21614)
	// true 21614 false
}
