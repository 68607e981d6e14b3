package sms_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/internal/race"
	"github.com/twostep/twostep/sms"
)

// TestAllocsVerify holds the check of a delivered code, the challenge path
// of Manager.Verify, to its allocation budget, for a right code and a wrong
// one. Allocation counts, unlike timings, are the same on every machine;
// the race detector allocates on its own, so the test skips under -race
// (.ci/bench.sh runs it without).
func TestAllocsVerify(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates; .ci/bench.sh runs this without -race")
	}
	f, err := sms.New(sms.Config{AppName: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	env := messagetest.NewEnv(t, factor.Config{
		Factors: []factor.Factor{f},
		Logger:  slog.New(slog.DiscardHandler),
		Budget:  factor.Budget{PerDestinationHour: -1, PerDestinationDay: -1, PerUserDay: -1, GlobalPerMinute: -1},
		Codes:   factor.DeliveredCodes{ResendAfter: time.Second}, // 51 codes in 51 s: none expires before its check
		Lockout: factor.Lockout{Limit: 100},                      // 51 wrong codes stay below it
	})
	e := env.EnrollConfirmed(t, "alice", factor.KindSMS, "06-12345678")
	const runs = 50
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		right  bool
		budget float64
	}{
		// Budget 28, as measured: the store's copies of the challenge and
		// the enrollment, the challenge data that binds the code, the
		// normalised code, a new HMAC-SHA256 for the keyed hash (9), and
		// the step-up grant (14). Saving the challenge and the enrollment
		// keeps their stored hash and secret; memstore waits on no I/O, so
		// its calls get no deadline.
		{"right", true, 28},
		// Budget 14, as measured: the same without the grant; the
		// failure event and the error allocate nothing.
		{"wrong", false, 14},
	} {
		ids, codes := make([]string, runs+1), make([]string, runs+1)
		for i := range ids {
			sent, code := env.Challenge(t, "alice", e.ID, false)
			if !tc.right {
				code = otherCode(code)
			}
			ids[i], codes[i] = sent.ChallengeID, code
		}
		i := 0
		got := testing.AllocsPerRun(runs, func() {
			_, err := env.M.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: ids[i], Code: codes[i]}, env.Now())
			i++
			if (err == nil) != tc.right {
				t.Fatal(tc.name, err)
			}
		})
		if got > tc.budget {
			t.Errorf("%s code: %v allocations per Verify, budget %v", tc.name, got, tc.budget)
		} else if got < tc.budget {
			t.Logf("%s code: %v allocations per Verify, below the budget of %v: lower it", tc.name, got, tc.budget)
		}
		if !tc.right {
			if err := env.M.Unlock(ctx, factor.UnlockRequest{UserID: "alice", Actor: "test"}, env.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// otherCode returns a code of the same length that differs from code in
// its last digit.
func otherCode(code string) string {
	last := code[len(code)-1]
	return code[:len(code)-1] + string('0'+(last-'0'+1)%10)
}
