package totp_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/totp"
)

func ExampleNew() {
	f, err := totp.New(totp.Config{Issuer: "ACME Co"})
	if err != nil {
		log.Fatal(err)
	}
	cfg := f.Config()
	fmt.Println(cfg.Algorithm, cfg.Digits, cfg.Period, cfg.SecretSize, cfg.Window.Behind(), cfg.Window.Ahead())

	_, err = totp.New(totp.Config{Issuer: "ACME:Co"})
	fmt.Println(errors.Is(err, factor.ErrInvalidConfig))
	// Output:
	// SHA1 6 30s 20 1 1
	// true
}

// A window of one step behind and none ahead accepts the current code and
// the one before it: "the previous code stays valid 30 seconds more".
func ExampleSteps() {
	f, err := totp.New(totp.Config{Issuer: "ACME Co", Window: totp.Steps(1, 0)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Config().Window.Behind(), f.Config().Window.Ahead())
	// Output: 1 0
}

func ExampleFactor_Key() {
	f, err := totp.New(totp.Config{Issuer: "ACME Co"})
	if err != nil {
		log.Fatal(err)
	}
	// The secret comes from the enrollment that Manager.Enroll returned.
	k, err := f.Key([]byte("12345678901234567890"), "alice@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.URI())
	fmt.Println(k.Text())
	// Output:
	// otpauth://totp/ACME%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30
	// GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ
}

func ExampleKey_DataURI() {
	f, err := totp.New(totp.Config{Issuer: "ACME Co"})
	if err != nil {
		log.Fatal(err)
	}
	k, err := f.Key([]byte("12345678901234567890"), "alice@example.com")
	if err != nil {
		log.Fatal(err)
	}
	src, err := k.DataURI(0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(src, "data:image/png;base64,iVBORw0KGgo"))
	// Output: true
}

func ExampleFactor_Verify() {
	f, err := totp.New(totp.Config{Issuer: "ACME Co"})
	if err != nil {
		log.Fatal(err)
	}
	e := &factor.Enrollment{Kind: factor.KindTOTP, Secret: []byte("12345678901234567890")}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()

	// The code the user's app shows at now; spaces are ignored.
	err = f.Verify(ctx, e, "745 690", now)
	fmt.Println(err, e.Counter)

	// The same code again is a replay.
	err = f.Verify(ctx, e, "745690", now.Add(10*time.Second))
	fmt.Println(errors.Is(err, factor.ErrInvalidCode))

	// A code with a letter in it is malformed, not wrong.
	err = f.Verify(ctx, e, "74569O", now)
	fmt.Println(errors.Is(err, factor.ErrMalformed))
	// Output:
	// <nil> 58907520
	// true
	// true
}

func ExampleFactor_Prepare() {
	f, err := totp.New(totp.Config{Issuer: "ACME Co"})
	if err != nil {
		log.Fatal(err)
	}
	e := &factor.Enrollment{Kind: factor.KindTOTP, UserID: "alice"}
	if err := f.Prepare(e); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(e.Secret)*8, "bits")
	// Output: 160 bits
}

func ExampleParseSecret() {
	// A secret as another service showed it, typed in by the user.
	secret, err := totp.ParseSecret("gezd-gnbv-gy3t-qojq gezd-gnbv-gy3t-qojq")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(secret)*8, "bits")

	_, err = totp.ParseSecret("GEZD GNBV GY3T QOJ1")
	fmt.Println(err)
	// Output:
	// 160 bits
	// factor: malformed secret: contains a character other than the letters A to Z and the digits 2 to 7
}

func ExampleParseURI() {
	k, err := totp.ParseURI("otpauth://totp/ACME%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.Issuer(), k.Account(), k.Algorithm(), k.Digits(), k.Period())
	// Output: ACME Co alice@example.com SHA1 6 30s
}
