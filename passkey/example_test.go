package passkey_test

import (
	"context"
	"fmt"
	"time"

	"github.com/descope/virtualwebauthn"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/passkey"
)

// A passkey registered and then used as the second step at login. The
// browser's part is played by a software authenticator here; in a web app
// the options go to navigator.credentials.create and get, and their
// answers come back as JSON.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Keys:    []factor.ServerKey{{ID: "k1", Secret: []byte("an example key of at least 32 bytes!")}},
		Factors: []factor.Factor{passkey.Factor{}},
	})
	if err != nil {
		panic(err)
	}
	pk, err := passkey.New(m, passkey.Config{RPID: "example.com", DisplayName: "Example", Origins: []string{"https://example.com"}})
	if err != nil {
		panic(err)
	}
	browser := virtualwebauthn.RelyingParty{ID: "example.com", Origin: "https://example.com"}
	key := virtualwebauthn.NewAuthenticator()
	cred := newEC2Credential() // the user's security key, in software

	// Settings page: the user names the new passkey.
	reg, err := pk.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Laptop"}, now)
	if err != nil {
		panic(err)
	}
	create, _ := virtualwebauthn.ParseAttestationOptions(string(reg.Options))
	created := virtualwebauthn.CreateAttestationResponse(browser, key, cred, *create)
	res, err := pk.FinishRegistration(ctx, "alice", reg.EnrollmentID, []byte(created), now)
	fmt.Println("registered:", err == nil, "two-step verification on:", res.Enabled)

	// Login, after the password.
	a, err := pk.BeginLogin(ctx, "alice", now.Add(time.Minute))
	if err != nil {
		panic(err)
	}
	get, _ := virtualwebauthn.ParseAssertionOptions(string(a.Options))
	cred.Counter++
	asserted := virtualwebauthn.CreateAssertionResponse(browser, key, cred, *get)
	res, err = pk.FinishLogin(ctx, "alice", []byte(asserted), now.Add(time.Minute))
	fmt.Println("second step passed:", err == nil, "with", res.Kind)
	// Output:
	// registered: true two-step verification on: true
	// second step passed: true with passkey
}
