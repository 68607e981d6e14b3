package email_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
)

// Email codes as the fallback of seed 004: a user without another method
// gets codes at the account's email address. (Once the user confirms
// another method, email is refused: see Example in
// internal/integration/email, which adds a phone.)
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

	emailFactor, err := email.New(email.Config{AppName: "Caren"})
	if err != nil {
		panic(err)
	}
	var last factor.Message
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Factors: []factor.Factor{emailFactor},
		Sender: factor.SenderFunc(func(_ context.Context, msg factor.Message) error {
			last = msg // email/smtp would send it
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}

	mail, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindEmail, Address: "Alice@Example.COM"}, now)
	if err != nil {
		panic(err)
	}
	sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: mail.ID, Language: "nl"}, now)
	if err != nil {
		panic(err)
	}
	_, err = m.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: last.Code}, now)
	fmt.Println("address:", mail.Address)
	fmt.Println("to:", last.To)
	fmt.Println("subject:", last.Subject)
	fmt.Println("confirmed:", err == nil)
	// Output:
	// address: Alice@example.com
	// to: Alice@example.com
	// subject: Uw verificatiecode voor Caren
	// confirmed: true
}
