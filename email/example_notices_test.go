package email_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
)

// Users hear by email of every change of their two-step verification, in
// their own language, without any code in the mail.
func ExampleNotices() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	store := memstore.New()
	var outbox []factor.Message
	mail := factor.SenderFunc(func(_ context.Context, msg factor.Message) error {
		outbox = append(outbox, msg) // email/smtp would send it
		return nil
	})

	notices, err := email.NewNotices(email.NoticeConfig{
		AppName: "Caren",
		Recipients: func(ctx context.Context, userID string) (email.Recipient, error) {
			return email.Recipient{Address: "alice@example.com", Language: "nl"}, nil // from the host's users
		},
		Sender:      mail,
		Enrollments: store, // the Manager's store
	})
	if err != nil {
		panic(err)
	}
	emailFactor, err := email.New(email.Config{AppName: "Caren"})
	if err != nil {
		panic(err)
	}
	m, err := factor.NewManager(factor.Config{Store: store, Factors: []factor.Factor{emailFactor}, Sender: mail, Notifier: notices})
	if err != nil {
		panic(err)
	}

	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindEmail, Address: "alice@example.com"}, now)
	if err != nil {
		panic(err)
	}
	sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: e.ID, Language: "nl"}, now)
	if err != nil {
		panic(err)
	}
	if _, err := m.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: outbox[0].Code}, now); err != nil {
		panic(err)
	}
	if _, err := m.Reset(ctx, factor.ResetRequest{UserID: "alice", Actor: "servicedesk", Reason: "lost phone"}, now); err != nil {
		panic(err)
	}
	for _, msg := range outbox[1:] {
		fmt.Printf("%s (%s): %s; code: %q\n", msg.To, msg.Language, msg.Subject, msg.Code)
	}
	// Output:
	// alice@example.com (nl): Er is een inlogmethode toegevoegd bij Caren; code: ""
	// alice@example.com (nl): Uw tweestapsverificatie is opnieuw ingesteld bij Caren; code: ""
}
