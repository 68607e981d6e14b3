package totp

import (
	"context"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/race"
)

// verifyAllocs is Verify's allocation budget, the count measured when it
// was set, for a wrong code (every step of the window tried) and a right
// one, with every algorithm: 5 in hmac.New (the HMAC, its two hashes and
// the two padded keys), 2 in the first Reset (crypto/hmac saves both hash
// states there), and the buffers of the counter and of the MAC, once per
// call.
const verifyAllocs = 9

// TestAllocsVerify holds Verify to its allocation budget. Allocation
// counts, unlike timings, are the same on every machine (for one Go
// release); lower the budget when a change saves an allocation. The race
// detector allocates on its own, so the test skips under -race
// (.ci/bench.sh runs it without).
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
				if got > verifyAllocs {
					t.Errorf("%s code: %v allocations per Verify, budget %d", tc.name, got, verifyAllocs)
				} else if got < verifyAllocs {
					t.Logf("%s code: %v allocations per Verify, below the budget of %d: lower the budget", tc.name, got, verifyAllocs)
				}
			}
		})
	}
}
