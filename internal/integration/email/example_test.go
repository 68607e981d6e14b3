package email_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/sms"
)

// Email codes as the fallback of seed 004: a user without another method
// gets codes by email; once the user has confirmed a phone, email is
// refused.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

	emailFactor, err := email.New(email.Config{AppName: "Caren"})
	if err != nil {
		panic(err)
	}
	smsFactor, err := sms.New(sms.Config{AppName: "Caren"})
	if err != nil {
		panic(err)
	}
	var last factor.Message
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Factors: []factor.Factor{emailFactor, smsFactor},
		Sender: factor.SenderFunc(func(_ context.Context, msg factor.Message) error {
			last = msg // email/smtp would send it
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}
	confirm := func(e *factor.Enrollment) error {
		sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: e.ID, Language: "nl"}, now)
		if err != nil {
			return err
		}
		return factortest.Err(m.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: last.Code}, now))
	}

	mail, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindEmail, Address: "Alice@Example.COM"}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println("address:", mail.Address)
	fmt.Println("email confirmed:", confirm(&mail.Enrollment) == nil)
	fmt.Println("subject:", last.Subject)

	// Adding a phone changes how alice logs in, so she first passes a
	// second step with an email code; its grant goes with the change.
	now = now.Add(time.Minute)
	sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: mail.ID, Language: "nl"}, now)
	if err != nil {
		panic(err)
	}
	res, err := m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: last.Code}, now)
	if err != nil {
		panic(err)
	}
	phone, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "06-12345678", StepUp: res.StepUp}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println("phone confirmed:", confirm(&phone.Enrollment) == nil)

	_, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: mail.ID}, now)
	fmt.Println("email now:", errors.Is(err, factor.ErrNotAllowed))
	// Output:
	// address: Alice@example.com
	// email confirmed: true
	// subject: Uw verificatiecode voor Caren
	// phone confirmed: true
	// email now: true
}
