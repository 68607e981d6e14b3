package email_test

import (
	"context"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

// benchEmailEnv returns an Env with the email factor, send budgets off and
// a confirmed address of benchEmailUser.
func benchEmailEnv(b *testing.B) (*messagetest.Env, *factor.Enrollment) {
	b.Helper()
	f, err := email.New(email.Config{AppName: "Acme"})
	if err != nil {
		b.Fatal(err)
	}
	env := messagetest.NewEnv(b, factor.Config{
		Factors: []factor.Factor{f},
		Logger:  slog.New(slog.DiscardHandler),
		Budget:  factor.Budget{PerDestinationHour: -1, PerDestinationDay: -1, PerUserDay: -1, GlobalPerMinute: -1},
		// A batch of 1000 codes, one each millisecond, all live at once.
		Codes: factor.DeliveredCodes{ResendAfter: time.Millisecond},
	})
	return env, env.EnrollConfirmed(b, benchEmailUser, factor.KindEmail, "alice@example.com")
}

const benchEmailUser = "alice"

// BenchmarkVerify measures checking one right email code, the same
// Manager path as an SMS code: loading the challenge and the enrollment,
// counting the attempt, comparing the keyed hash, marking the challenge and
// the enrollment used and emitting the event. Codes are sent in batches
// with the timer stopped.
func BenchmarkVerify(b *testing.B) {
	env, e := benchEmailEnv(b)
	ctx := context.Background()
	const batch = 1000
	ids, codes := make([]string, batch), make([]string, batch)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%batch == 0 {
			b.StopTimer()
			benchEmailRefill(b, env, e.ID, ids, codes)
			runtime.GC() // collect the batch's garbage before the timer runs
			b.StartTimer()
		}
		a := factor.Answer{UserID: benchEmailUser, ChallengeID: ids[i%batch], Code: codes[i%batch]}
		if _, err := env.M.Verify(ctx, a, env.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEmailRefill forgets the used challenges and sends a new batch of
// codes.
func benchEmailRefill(b *testing.B, env *messagetest.Env, enrollmentID string, ids, codes []string) {
	if err := env.Store.DeleteChallenges(context.Background(), benchEmailUser); err != nil {
		b.Fatal(err)
	}
	env.Sender.Reset()
	for j := range ids {
		sent, code := env.Challenge(b, benchEmailUser, enrollmentID, false)
		ids[j], codes[j] = sent.ChallengeID, code
	}
}
