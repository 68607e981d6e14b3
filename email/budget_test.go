package email_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

// TestBudgetKeysOnTheCanonicalAddress: notations of one mailbox (upper
// case, a Unicode domain and its IDNA A-label) share one send budget, so
// writing an address differently does not multiply its budget.
func TestBudgetKeysOnTheCanonicalAddress(t *testing.T) {
	f, err := email.New(email.Config{AppName: "Acme"})
	require.NoError(t, err)
	env := messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{f}})
	notations := []string{"anna@bücher.example", "anna@BÜCHER.example", "anna@xn--bcher-kva.example", "anna@XN--BCHER-KVA.EXAMPLE", "anna@Bücher.Example"}
	for i := range 5 { // the pending budget per address is 5 a day
		user := fmt.Sprintf("u%d", i)
		e := env.Enroll(t, user, factor.KindEmail, notations[i%len(notations)])
		env.Clock.Advance(time.Minute)
		_, err := env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID}, env.Now())
		require.NoError(t, err, notations[i%len(notations)])
	}
	e := env.Enroll(t, "u5", factor.KindEmail, "anna@xn--bcher-kva.example")
	env.Clock.Advance(time.Minute)
	_, err = env.M.Challenge(context.Background(), factor.ChallengeRequest{UserID: "u5", EnrollmentID: e.ID}, env.Now())
	require.ErrorIs(t, err, factor.ErrRateLimited, "the sixth code to one mailbox in any notation")
}
