package recovery_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
	"golang.org/x/crypto/bcrypt"
)

const wrongCode = "2E7G-XZX8-C8MW-PQ3D"

func benchCodes(b *testing.B, count int) (*factor.Manager, *recovery.Codes) {
	b.Helper()
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(),
		Keys:    []factor.ServerKey{testKey("k1")},
		Lockout: factor.Lockout{Limit: 100}, // so that misses rarely need an Unlock
	})
	if err != nil {
		b.Fatal(err)
	}
	c, err := recovery.New(m, recovery.Config{Count: count})
	if err != nil {
		b.Fatal(err)
	}
	return m, c
}

// BenchmarkRedeem measures Redeem on a memstore: the failure accounting
// (Guard), one keyed hash and the atomic lookup. A hit also revokes the
// user's trusted devices and emits the event. The timer stops only every
// 50 hits to generate codes and every 99 misses to unlock the user.
func BenchmarkRedeem(b *testing.B) {
	ctx := context.Background()
	b.Run("hit", func(b *testing.B) {
		_, c := benchCodes(b, 50)
		var codes []string
		for i := 0; b.Loop(); i++ {
			if i%50 == 0 {
				b.StopTimer()
				codes = generate(b, c)
				b.StartTimer()
			}
			if _, err := c.Redeem(ctx, "alice", codes[i%50], t0); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, left := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("miss/%d-left", left), func(b *testing.B) {
			m, c := benchCodes(b, left)
			generate(b, c)
			for i := 0; b.Loop(); i++ {
				if i%99 == 98 {
					b.StopTimer() // stay below the lockout limit
					if err := m.Unlock(ctx, factor.UnlockRequest{UserID: "alice", Actor: "bench"}, t0); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if _, err := c.Redeem(ctx, "alice", wrongCode, t0); err == nil {
					b.Fatal("wrong code accepted")
				}
			}
		})
	}
}

// BenchmarkCheck measures what answers a recovery code once the attempt is
// counted: one keyed hash and one atomic store lookup.
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	for _, left := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("miss/%d-left", left), func(b *testing.B) {
			m, c := benchCodes(b, left)
			generate(b, c)
			norm, _ := recovery.Normalize(wrongCode)
			for b.Loop() {
				h := m.Extension().Sealer().MAC("recovery", "alice", []byte(norm))
				if _, err := m.Extension().Store().ConsumeRecoveryCode(ctx, "alice", h); err == nil {
					b.Fatal("wrong code accepted")
				}
			}
		})
	}
}

// BenchmarkBcrypt is what the usual design costs: a miss compares the
// attempt with each of 10 bcrypt hashes of cost 10.
func BenchmarkBcrypt(b *testing.B) {
	hashes := make([][]byte, 10)
	for i := range hashes {
		h, err := bcrypt.GenerateFromPassword(fmt.Appendf(nil, "CODE%012d", i), 10)
		if err != nil {
			b.Fatal(err)
		}
		hashes[i] = h
	}
	b.Run("miss/10-left", func(b *testing.B) {
		for b.Loop() {
			for _, h := range hashes {
				if bcrypt.CompareHashAndPassword(h, []byte(wrongCode)) == nil {
					b.Fatal("wrong code accepted")
				}
			}
		}
	})
}

func generate(b *testing.B, c *recovery.Codes) []string {
	codes, err := c.Generate(context.Background(), "alice", t0)
	if err != nil {
		b.Fatal(err)
	}
	return codes
}
