package factor_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

// directory is the host's lookup of account addresses.
type directory map[string]string

func (d directory) AccountEmail(_ context.Context, userID string) (string, error) {
	return d[userID], nil
}

// A change of phone number confirmed by email first: the new number gets
// no code until the user opened the link mailed to the account's
// address; the link's page passes its token to Challenge. fakePhone stands
// in for sms.New, which lives in a module of its own.
func ExampleChangeByEmail() {
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	mail, err := email.New(email.Config{AppName: "Zorgportaal"})
	if err != nil {
		panic(err)
	}
	outbox := &factortest.RecordingSender{}
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Sender:  outbox,
		Factors: []factor.Factor{fakePhone{factor.KindSMS}, mail},
		Policy: factor.Policy{
			Kinds: []factor.Kind{factor.KindSMS}, // email writes the link mail only
			ChangeByEmail: factor.ChangeByEmail{
				URL:      "https://zorg.example/telefoon/bevestigen",
				Accounts: directory{"caren": "caren@example.nl"},
			},
		},
	})
	if err != nil {
		panic(err)
	}
	// Caren's phone, confirmed; a code to it is the step-up for the change.
	old, _ := m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindSMS, Address: "+31612345678"}, now)
	sent, _ := m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: old.ID}, now)
	code := lastCode(outbox)
	_, _ = m.Confirm(ctx, factor.Answer{UserID: "caren", ChallengeID: sent.ChallengeID, Code: code}, now)
	now = now.Add(time.Minute)
	sent, _ = m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: old.ID}, now)
	res, _ := m.Verify(ctx, factor.Answer{UserID: "caren", ChallengeID: sent.ChallengeID, Code: lastCode(outbox)}, now)

	// She saves a new number: the link goes to her account's address.
	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "caren", Kind: factor.KindSMS, Address: "+31687654321", Replaces: old.ID, StepUp: res.StepUp, Language: "nl"}, now)
	if err != nil {
		panic(err)
	}
	msg, _ := outbox.Last()
	fmt.Println("link sent to", e.LinkSentTo, "-", msg.Subject)
	_, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", EnrollmentID: e.ID}, now)
	fmt.Println(factor.UserMessage(err, "en"))

	// The link's page posts the token; the code goes to the new number.
	link, _ := url.Parse(regexp.MustCompile(`https://\S+`).FindString(msg.Text))
	sent, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: "caren", Link: link.Query().Get("token")}, now)
	if err != nil {
		panic(err)
	}
	sms, _ := outbox.Last()
	fmt.Println("code sent to", sms.To)
	_, err = m.Confirm(ctx, factor.Answer{UserID: "caren", ChallengeID: sent.ChallengeID, Code: sms.Code}, now)
	list, _ := m.Enrollments(ctx, "caren", now)
	fmt.Println(err, len(list), list[0].Address)
	// Output:
	// link sent to c•••@example.nl - Nieuwe telefoonnummer bevestigen voor Zorgportaal
	// Please open the link in the email we sent you to confirm your new phone number first.
	// code sent to +31687654321
	// <nil> 1 +31687654321
}

func lastCode(s *factortest.RecordingSender) string {
	m, _ := s.Last()
	return m.Code
}
