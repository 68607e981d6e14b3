package phone_test

import (
	"errors"
	"fmt"

	"github.com/twostep/twostep/factor/phone"
)

func ExampleParser_ForSMS() {
	var p phone.Parser // Dutch numbers only, read as Dutch when no +31 is given.

	n, err := p.ForSMS("06-12345678")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.E164, n.Region, n.Type)
	fmt.Println("code sent to", n.Masked())

	_, err = p.ForSMS("0900-1234567")
	fmt.Println(errors.Is(err, phone.ErrPremiumRate), err)
	// Output:
	// +31612345678 NL mobile
	// code sent to +31 6 •••• 5678
	// true phone: premium-rate number (+31 900 ••• 4567)
}

func ExampleParser_ForVoice() {
	p := phone.Parser{AllowedRegions: []string{"NL", "BE"}}

	for _, in := range []string{"020-1234567", "+32 470 12 34 56", "0800-1234567"} {
		n, err := p.ForVoice(in)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(n, n.Type)
	}
	// Output:
	// +31201234567 fixed line
	// +32470123456 mobile
	// phone: toll-free number (+31 800 ••• 4567)
}

func ExampleNumber_Masked() {
	n, _ := phone.Parser{}.Parse("+31 (0)6 1234 5678")
	fmt.Println(n.Masked())
	// Output: +31 6 •••• 5678
}
