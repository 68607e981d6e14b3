package sms_test

import (
	"context"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

// benchEnv returns an Env with send budgets off, a resend cooldown of a
// millisecond (a batch of 1000 codes, one each millisecond, is live at
// once) and a confirmed number.
func benchEnv(b *testing.B) (*messagetest.Env, *factor.Enrollment) {
	env := newEnv(b, factor.Config{
		Logger: slog.New(slog.DiscardHandler),
		Budget: factor.Budget{PerDestinationHour: -1, PerDestinationDay: -1, PerUserDay: -1, GlobalPerMinute: -1},
		Codes:  factor.DeliveredCodes{ResendAfter: time.Millisecond},
	})
	return env, env.EnrollConfirmed(b, user, factor.KindSMS, "06-12345678")
}

// BenchmarkChallenge measures generating, storing, composing and
// "sending" one code (memstore, recording sender).
func BenchmarkChallenge(b *testing.B) {
	env, e := benchEnv(b)
	ctx := context.Background()
	req := factor.ChallengeRequest{UserID: user, EnrollmentID: e.ID, Language: "nl-BE,nl;q=0.9"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%1000 == 999 { // keep the heap the size of a real one
			b.StopTimer()
			_ = env.Store.DeleteChallenges(ctx, user)
			env.Sender.Reset()
			b.StartTimer()
		}
		env.Clock.Advance(time.Millisecond) // past the resend cooldown
		if _, err := env.M.Challenge(ctx, req, env.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures checking one right code: loading the challenge
// and enrollment, counting the attempt, comparing the keyed hash, marking
// the challenge used and the enrollment used, emitting the event. Codes are
// sent in batches with the timer stopped, and used challenges are removed
// between batches so that the heap stays the size of a real one.
func BenchmarkVerify(b *testing.B) {
	env, e := benchEnv(b)
	ctx := context.Background()
	const batch = 1000
	ids, codes := make([]string, batch), make([]string, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%batch == 0 {
			b.StopTimer()
			refill(b, env, e.ID, ids, codes)
			runtime.GC() // collect the batch's garbage before the timer runs
			b.StartTimer()
		}
		a := factor.Answer{UserID: user, ChallengeID: ids[i%batch], Code: codes[i%batch]}
		if _, err := env.M.Verify(ctx, a, env.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// refill forgets the used challenges and sends a new batch of codes.
func refill(b *testing.B, env *messagetest.Env, enrollmentID string, ids, codes []string) {
	if err := env.Store.DeleteChallenges(context.Background(), user); err != nil {
		b.Fatal(err)
	}
	env.Sender.Reset()
	for j := range ids {
		sent, code := env.Challenge(b, user, enrollmentID, false)
		ids[j], codes[j] = sent.ChallengeID, code
	}
}
