package factor_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/totp"
)

// A host enrols a user's authenticator app, confirms it with the first code
// and verifies codes at login. Each code is accepted once.
func Example() {
	ctx := context.Background()
	app, err := totp.New(totp.Config{Issuer: "Example"})
	if err != nil {
		panic(err)
	}
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{app}})
	if err != nil {
		panic(err)
	}

	// Enrol: normally Secret is left empty and the factor generates one;
	// here it is RFC 6238's test secret so the codes below are fixed.
	e, err := m.Enroll(ctx, factor.Enrollment{UserID: "alice", Kind: factor.KindTOTP, Secret: []byte("12345678901234567890")}, time.Unix(30, 0))
	if err != nil {
		panic(err)
	}
	key, err := app.Key(e.Secret, "alice@example.com")
	if err != nil {
		panic(err)
	}
	fmt.Println(key.URI()) // show as a QR code with key.PNG, and key.Text() to type

	// Confirm with the first code the app shows.
	err = m.Confirm(ctx, factor.Attempt{UserID: "alice", EnrollmentID: e.ID, Code: "287082"}, time.Unix(59, 0))
	fmt.Println("confirmed:", err == nil)

	// Log in later with a new code; the same code a second time fails.
	login := factor.Attempt{UserID: "alice", EnrollmentID: e.ID, Code: "081804"}
	fmt.Println("login:", m.Verify(ctx, login, time.Unix(1111111109, 0)))
	err = m.Verify(ctx, login, time.Unix(1111111110, 0))
	fmt.Println("replay refused:", errors.Is(err, factor.ErrInvalidCode))
	// Output:
	// otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&algorithm=SHA1&digits=6&period=30
	// confirmed: true
	// login: <nil>
	// replay refused: true
}
