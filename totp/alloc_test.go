package totp

import (
	"context"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/race"
)

// TestAllocsVerify holds Verify to its allocation budget: none, for a wrong
// code (every step of the window tried) and a right one, with every
// algorithm. The HMAC states live in pooled generators. Allocation counts,
// unlike timings, are the same on every machine; the race detector
// allocates on its own, so the test skips under -race (.ci/bench.sh runs it
// without).
func TestAllocsVerify(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates; .ci/bench.sh runs this without -race")
	}
	ctx := context.Background()
	for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
		t.Run(alg.String(), func(t *testing.T) {
			f := newFactor(t, Config{Algorithm: alg})
			secret := []byte(seedSHA1)
			now := testNow()
			right := codeAt(f, secret, currentStep(now))
			wrong := right[:5] + string('0'+(right[5]-'0'+5)%10)
			e := &factor.Enrollment{Secret: secret}
			for _, tc := range []struct {
				name, code string
				ok         bool
			}{{"wrong", wrong, false}, {"right", right, true}} {
				got := testing.AllocsPerRun(100, func() {
					e.Counter = 0
					if err := f.Verify(ctx, e, tc.code, now); (err == nil) != tc.ok {
						t.Fatal(tc.name, err)
					}
				})
				if got != 0 {
					t.Errorf("%s code: %v allocations per Verify, budget 0", tc.name, got)
				}
			}
		})
	}
}
