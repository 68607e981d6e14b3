package factor_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/totp"
)

// A host enrols a user's authenticator app, confirms it with the first code
// and verifies codes at login. Each code is accepted once. This is the
// README's "Authenticator apps" snippet, with the errors checked and an
// authenticator app played by appCode.
func Example() {
	ctx := context.Background()
	serverKey := []byte("an example secret of 32 bytes or more") // from a secret store, never from the code
	app, err := totp.New(totp.Config{Issuer: "Example"})
	if err != nil {
		panic(err)
	}
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Factors: []factor.Factor{app},
		Keys:    []factor.ServerKey{{ID: "2026-11", Secret: serverKey}}, // 32+ random bytes
	})
	if err != nil {
		panic(err)
	}

	// Enrol: the factor generates the secret; show it once as a QR code.
	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Label: "Phone"}, time.Now())
	if err != nil {
		panic(err)
	}
	key, err := app.Key(e.Secret, "alice@example.com")
	if err != nil {
		panic(err)
	}
	png, err := key.PNG(256) // or key.DataURI(256) for an <img>, key.Text() to type
	if err != nil {
		panic(err)
	}
	fmt.Println("QR code:", bytes.HasPrefix(png, []byte("\x89PNG")), key.Account())

	// Confirm with the first code, then verify at every login.
	first := appCode(key, time.Now()) // what the user's app shows now
	_, err = m.Confirm(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: first}, time.Now())
	fmt.Println("confirmed:", err)
	code := appCode(key, time.Now().Add(30*time.Second)) // the app's next code, at a later login
	// Each code is accepted once: a login needs a later code than the last one.
	_, err = m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: code}, time.Now())
	switch {
	case errors.Is(err, factor.ErrInvalidCode): // wrong, expired or replayed
		fmt.Println("refused:", err)
	case errors.Is(err, factor.ErrLocked): // too many failures; see *factor.LockedError
		fmt.Println("locked:", err)
	case err == nil:
		fmt.Println("logged in")
	}

	// The same code a second time is a replay.
	_, err = m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: code}, time.Now())
	fmt.Println("replay refused:", errors.Is(err, factor.ErrInvalidCode))
	// Output:
	// QR code: true alice@example.com
	// confirmed: <nil>
	// logged in
	// replay refused: true
}

// appCode plays the user's authenticator app: it returns the RFC 6238 code
// (SHA-1, 6 digits, 30 seconds) that key gives at t.
func appCode(key *totp.Key, t time.Time) string {
	mac := hmac.New(sha1.New, key.Secret())
	mac.Write(binary.BigEndian.AppendUint64(nil, uint64(t.Unix()/30)))
	sum := mac.Sum(nil)
	n := binary.BigEndian.Uint32(sum[sum[len(sum)-1]&15:]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}
