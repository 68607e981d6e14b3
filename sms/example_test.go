package sms_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/sms"
)

// Enrol a phone number, confirm it with the code sent to it, then log in
// with a fresh code. A real host sends through sms/twilio or sms/bird; this
// example catches the text instead.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

	smsFactor, err := sms.New(sms.Config{AppName: "Acme"})
	if err != nil {
		panic(err)
	}
	var last factor.Message
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Factors: []factor.Factor{smsFactor},
		Sender: factor.SenderFunc(func(_ context.Context, msg factor.Message) error {
			last = msg
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}

	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "06-12345678"}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println("number:", e.Address, "shown as", e.Label)

	sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: e.ID, Language: "nl-BE,nl;q=0.9"}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println("text:", strings.ReplaceAll(last.Text, last.Code, "######"))
	_, err = m.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: last.Code}, now.Add(time.Minute))
	fmt.Println("confirmed:", err == nil)

	now = now.Add(time.Hour)
	sent, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: e.ID, Language: "en-US"}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println("text:", strings.ReplaceAll(last.Text, last.Code, "######"))
	_, err = m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: "000000"}, now)
	fmt.Println("wrong code:", err)
	_, err = m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: last.Code}, now)
	fmt.Println("logged in:", err == nil)
	// Output:
	// number: +31612345678 shown as +31 6 •••• 5678
	// text: Uw verificatiecode voor Acme is ######. Geldig 5 minuten. Deel deze code met niemand.
	// confirmed: true
	// text: Your verification code for Acme is ######. Valid for 5 minutes. Do not share this code with anyone.
	// wrong code: factor: invalid code
	// logged in: true
}
