package delivery_test

import (
	"errors"
	"fmt"

	"github.com/twostep/twostep/factor/delivery"
)

func Example() {
	// What sms/twilio returns when Twilio says the number is a landline.
	var err error = &delivery.Error{Provider: "twilio", Status: 400, Code: "21614", Err: delivery.ErrLandline}

	switch {
	case errors.Is(err, delivery.ErrLandline):
		fmt.Println("this number cannot receive SMS: offer a voice call")
	case errors.Is(err, delivery.ErrInvalidNumber):
		fmt.Println("ask for the number again")
	}
	var de *delivery.Error
	if errors.As(err, &de) {
		fmt.Println(de.Provider, de.Code, de.Retryable())
	}
	fmt.Println(err)
	// Output:
	// this number cannot receive SMS: offer a voice call
	// twilio 21614 false
	// twilio: number cannot receive SMS (HTTP 400, code 21614)
}
