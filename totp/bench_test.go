package totp

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// benchWrongCode is a code that matches none of the steps around benchNow
// for seedSHA1, so that every step of the window is tried.
const benchWrongCode = "000000"

func benchNow() time.Time { return time.Date(2026, 1, 1, 0, 0, 15, 0, time.UTC) }

// checkWrong fails b unless code is wrong for every step in ±1 around now.
func checkWrong(b *testing.B, f *Factor, secret []byte, code string, now time.Time) {
	b.Helper()
	for off := int64(-1); off <= 1; off++ {
		require.NotEqual(b, code, codeAt(f, secret, currentStep(now)+off))
	}
}

// BenchmarkVerifyWrongCode measures the common attack path: a wrong code
// with the default window of one step behind and one ahead.
func BenchmarkVerifyWrongCode(b *testing.B) {
	for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
		b.Run(alg.String(), func(b *testing.B) {
			f := newFactor(b, Config{Algorithm: alg})
			secret := []byte(seedSHA1)
			now := benchNow()
			checkWrong(b, f, secret, benchWrongCode, now)
			e := &factor.Enrollment{Secret: secret}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if f.Verify(ctx, e, benchWrongCode, now) == nil {
					b.Fatal("wrong code accepted")
				}
			}
		})
	}
}

// floorSink keeps the floor's results alive.
var floorSink uint32

// hmacFloor is the floor under Verify of a wrong code with the default
// window: one hmac.New(sha1.New, secret), as Verify keys one HMAC per
// call, then for each of the three steps Reset, Write of the counter, Sum
// into a reused buffer and the dynamic truncation.
type hmacFloor struct {
	secret []byte
	step   uint64
	ctr    [8]byte
	sum    []byte
}

func newHMACFloor(secret []byte, now time.Time) *hmacFloor {
	return &hmacFloor{secret: secret, step: uint64(currentStep(now)), sum: make([]byte, 0, sha1.Size)}
}

func (fl *hmacFloor) run() {
	mac := hmac.New(sha1.New, fl.secret)
	for s := fl.step - 1; s <= fl.step+1; s++ {
		mac.Reset()
		binary.BigEndian.PutUint64(fl.ctr[:], s)
		mac.Write(fl.ctr[:])
		fl.sum = mac.Sum(fl.sum[:0])
		off := fl.sum[len(fl.sum)-1] & 0x0f
		floorSink ^= binary.BigEndian.Uint32(fl.sum[off:]) & 0x7fffffff
	}
}

// BenchmarkHMACFloor measures hmacFloor, the anchor of
// BenchmarkVerifyWrongCode/SHA1 in the same binary.
func BenchmarkHMACFloor(b *testing.B) {
	fl := newHMACFloor([]byte(seedSHA1), benchNow())
	b.ReportAllocs()
	for b.Loop() {
		fl.run()
	}
}

// BenchmarkPairedVerifyWrong runs BenchmarkVerifyWrongCode/SHA1 and
// BenchmarkHMACFloor interleaved, 16 calls of each in turn per round, and
// reports the median time per call of each and the median over the rounds
// of the ratio verify/floor: a round that another process interrupts is an
// outlier that the median leaves out, so the ratio holds up on a busy
// machine better than the ratio of separate benchmarks.
func BenchmarkPairedVerifyWrong(b *testing.B) {
	f := newFactor(b, Config{})
	secret := []byte(seedSHA1)
	now := benchNow()
	checkWrong(b, f, secret, benchWrongCode, now)
	e := &factor.Enrollment{Secret: secret}
	ctx := context.Background()
	fl := newHMACFloor(secret, now)
	verify := func() {
		if f.Verify(ctx, e, benchWrongCode, now) == nil {
			b.Fatal("wrong code accepted")
		}
	}
	var verifies, floors, ratios []float64
	for i := 0; b.Loop(); i++ {
		// Alternate the order, so that neither always pays for the
		// other's garbage.
		var v, fo time.Duration
		if i%2 == 0 {
			v, fo = time16(verify), time16(fl.run)
		} else {
			fo, v = time16(fl.run), time16(verify)
		}
		verifies = append(verifies, float64(v.Nanoseconds())/16)
		floors = append(floors, float64(fo.Nanoseconds())/16)
		ratios = append(ratios, float64(v)/float64(fo))
	}
	b.ReportMetric(median(verifies), "ns/verify")
	b.ReportMetric(median(floors), "ns/floor")
	b.ReportMetric(median(ratios), "verify/floor")
}

// time16 returns how long 16 calls of fn take.
func time16(fn func()) time.Duration {
	start := time.Now()
	for range 16 {
		fn()
	}
	return time.Since(start)
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// BenchmarkVerifyRightCode measures a code from the current step; the
// enrollment's counter is reset each time so that it is not a replay.
func BenchmarkVerifyRightCode(b *testing.B) {
	f := newFactor(b, Config{})
	secret := []byte(seedSHA1)
	now := benchNow()
	code := codeAt(f, secret, currentStep(now))
	e := &factor.Enrollment{Secret: secret}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		e.Counter = 0
		if f.Verify(ctx, e, code, now) != nil {
			b.Fatal("right code refused")
		}
	}
}

// BenchmarkPquernaValidateCustom is the baseline: the same check with
// github.com/pquerna/otp, a wrong code, SHA1 and a skew of one step.
func BenchmarkPquernaValidateCustom(b *testing.B) {
	secret := base32.StdEncoding.EncodeToString([]byte(seedSHA1))
	now := benchNow()
	checkWrong(b, newFactor(b, Config{}), []byte(seedSHA1), benchWrongCode, now)
	opts := pqtotp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := pqtotp.ValidateCustom(benchWrongCode, secret, now, opts)
		if ok || err != nil {
			b.Fatal("wrong code accepted or error", err)
		}
	}
}

func BenchmarkNormalizeCode(b *testing.B) {
	f := newFactor(b, Config{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.NormalizeCode("123 456"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKeyPNG(b *testing.B) {
	k, err := newFactor(b, Config{Issuer: "ACME Co"}).Key([]byte(seedSHA1), "alice@example.com")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.PNG(0); err != nil {
			b.Fatal(err)
		}
	}
}
