package factor_test

// The benchmarks in this file are the factor package's part of the
// performance suite that .ci/bench.sh runs and internal/benchtable turns into
// the README's table. Each figure has its anchor in the same run:
// BenchmarkVerifyTOTP beside BenchmarkPquernaValidateCustom (the usual
// library) and BenchmarkHMACFloor (the least any TOTP check can cost).

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/totp"
)

// perfNow is the benchmarks' clock: the middle of a 30-second step.
var perfNow = time.Unix(1_700_000_015, 0)

// perfWrongCode matches none of the steps in ±1 around perfNow for the
// secrets the benchmarks use (checked by perfSetup).
const perfWrongCode = "000000"

// perfSecret is the RFC 6238 SHA-1 test secret.
var perfSecret = []byte("12345678901234567890")

// perfCode computes the 6-digit SHA-1 TOTP code of secret for a time step
// with crypto/hmac, independently of the totp package.
func perfCode(secret []byte, step int64) string {
	mac := hmac.New(sha1.New, secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(step))
	mac.Write(b[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

func perfStep(t time.Time) int64 { return t.Unix() / 30 }

// perfSetup returns a Manager on store with the TOTP factor (window ±1), a
// fixed key and a discarding logger, and a confirmed TOTP enrollment of
// user with perfSecret. The lockout limit is the highest allowed, 100, so
// that a benchmark of wrong codes unlocks the user once per 99 attempts
// and measures the comparison, not the lock.
func perfSetup(tb testing.TB, store factor.Store, user string) (*factor.Manager, *factor.Enrollment) {
	tb.Helper()
	m := perfManager(tb, store)
	return m, perfEnroll(tb, m, user, perfNow.Add(-time.Hour))
}

func perfManager(tb testing.TB, store factor.Store) *factor.Manager {
	tb.Helper()
	app, err := totp.New(totp.Config{Issuer: "Bench"})
	if err != nil {
		tb.Fatal(err)
	}
	m, err := factor.NewManager(factor.Config{
		Store:   store,
		Factors: []factor.Factor{app},
		Keys:    []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Logger:  slog.New(slog.DiscardHandler),
		Lockout: factor.Lockout{Limit: 100},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// perfEnroll enrolls and confirms perfSecret for user at the given time.
func perfEnroll(tb testing.TB, m *factor.Manager, user string, at time.Time) *factor.Enrollment {
	tb.Helper()
	ctx := context.Background()
	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, Secret: perfSecret}, at)
	if err != nil {
		tb.Fatal(err)
	}
	a := factor.Answer{UserID: user, EnrollmentID: e.ID, Code: perfCode(perfSecret, perfStep(at))}
	if _, err := m.Confirm(ctx, a, at); err != nil {
		tb.Fatal(err)
	}
	for off := int64(-1); off <= 1; off++ {
		if perfCode(perfSecret, perfStep(perfNow)+off) == perfWrongCode {
			tb.Fatal("perfWrongCode is right")
		}
	}
	return &e.Enrollment
}

// perfUsers is how many users the many-user benchmarks go round: far more
// than any per-user cache would hold warm, as on a real login path, where
// one user rarely logs in twice in a row.
const perfUsers = 10_000

// perfMany returns a Manager on store with perfUsers users, each with a
// confirmed TOTP enrollment, and each user's answer with a wrong code, to
// be used round-robin.
func perfMany(tb testing.TB, store factor.Store) (*factor.Manager, []factor.Answer) {
	tb.Helper()
	m := perfManager(tb, store)
	answers := make([]factor.Answer, perfUsers)
	for i := range answers {
		user := fmt.Sprintf("user-%05d", i)
		e := perfEnroll(tb, m, user, perfNow.Add(-time.Hour))
		answers[i] = factor.Answer{UserID: user, EnrollmentID: e.ID, Code: perfWrongCode}
	}
	return m, answers
}

// perfWrong runs Verify with a wrong code, unlocking the user whenever the
// limit is reached (once per 100 attempts, so about 1% of an Unlock per op).
func perfWrong(ctx context.Context, tb testing.TB, m *factor.Manager, a factor.Answer) {
	_, err := m.Verify(ctx, a, perfNow)
	if errors.Is(err, factor.ErrLocked) {
		if err := m.Unlock(ctx, factor.UnlockRequest{UserID: a.UserID, Actor: "bench"}, perfNow); err != nil {
			tb.Fatal(err)
		}
		return
	}
	if !errors.Is(err, factor.ErrInvalidCode) {
		tb.Fatal("wrong code:", err)
	}
}

// perfRight returns a function that runs Verify with the right code of the
// next time step each time it is called. The codes are computed in batches
// with the timer stopped, so that only Verify is measured.
func perfRight(b *testing.B, m *factor.Manager, e *factor.Enrollment) func(ctx context.Context) {
	const batch = 4096
	codes := make([]string, batch)
	start := perfStep(perfNow)
	a := factor.Answer{UserID: e.UserID, EnrollmentID: e.ID}
	i := 0
	return func(ctx context.Context) {
		if i%batch == 0 {
			b.StopTimer()
			for j := range codes {
				codes[j] = perfCode(perfSecret, start+int64(i+j))
			}
			runtime.GC() // collect the batch's garbage before the timer runs
			b.StartTimer()
		}
		a.Code = codes[i%batch]
		now := time.Unix((start+int64(i))*30+15, 0)
		i++
		if _, err := m.Verify(ctx, a, now); err != nil {
			b.Fatal("right code:", err)
		}
	}
}

// BenchmarkVerifyTOTP measures Manager.Verify for an authenticator app on
// memstore with the default window (one step behind, one ahead): loading
// the enrollment, counting the attempt, opening the sealed secret, the
// window and, for a right code, the compare-and-swap save. A wrong code
// tries all three steps; a right code of the current step tries one.
// ManyUsers/WrongCode goes round perfUsers users, as real logins do; the
// others repeat one user. SQLite and PostgreSQL are measured in
// factor/sqlstore.
func BenchmarkVerifyTOTP(b *testing.B) {
	ctx := context.Background()
	b.Run("memstore/ManyUsers/WrongCode", func(b *testing.B) {
		m, answers := perfMany(b, memstore.New())
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			perfWrong(ctx, b, m, answers[i%len(answers)])
			i++
		}
	})
	b.Run("memstore/WrongCode", func(b *testing.B) {
		m, e := perfSetup(b, memstore.New(), "alice")
		a := factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: perfWrongCode}
		b.ReportAllocs()
		for b.Loop() {
			perfWrong(ctx, b, m, a)
		}
	})
	b.Run("memstore/RightCode", func(b *testing.B) {
		m, e := perfSetup(b, memstore.New(), "alice")
		verify := perfRight(b, m, e)
		b.ReportAllocs()
		for b.Loop() {
			verify(ctx)
		}
	})
}

// BenchmarkPquernaValidateCustom is the anchor for BenchmarkVerifyTOTP: the
// same wrong code checked with github.com/pquerna/otp's ValidateCustom,
// SHA1, six digits and a skew of one step, with no store, no accounting
// and no replay guard at all.
func BenchmarkPquernaValidateCustom(b *testing.B) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(perfSecret)
	opts := pqtotp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := pqtotp.ValidateCustom(perfWrongCode, secret, perfNow, opts); ok || err != nil {
			b.Fatal("wrong code accepted, or", err)
		}
	}
}

// perfSink keeps the floor's results alive.
var perfSink uint32

// BenchmarkHMACFloor is the floor under any TOTP check of a window of
// three steps: crypto/hmac keyed once outside the loop, and per operation
// three times Reset, Write of the counter, Sum into a reused buffer and
// the dynamic truncation to six digits.
func BenchmarkHMACFloor(b *testing.B) {
	mac := hmac.New(sha1.New, perfSecret)
	var ctr [8]byte
	sum := make([]byte, 0, sha1.Size)
	step := uint64(perfStep(perfNow))
	b.ReportAllocs()
	for b.Loop() {
		for s := step - 1; s <= step+1; s++ {
			mac.Reset()
			binary.BigEndian.PutUint64(ctr[:], s)
			mac.Write(ctr[:])
			h := mac.Sum(sum[:0])
			off := h[len(h)-1] & 0x0f
			perfSink ^= (binary.BigEndian.Uint32(h[off:]) & 0x7fffffff) % 1000000
		}
	}
}

// BenchmarkSealer measures the Sealer's primitives on the hot paths: Open
// (an enrollment's secret, on a secret-cache miss), MAC (storing a code or
// token) and CheckMAC (checking a delivered code or a device token).
func BenchmarkSealer(b *testing.B) {
	s, err := factor.NewSealer([]factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}})
	if err != nil {
		b.Fatal(err)
	}
	ad := []byte("twostep enrollment v1\x00\x05alice\x00enrollment-id-of-26-chars")
	sealed, err := s.Seal(perfSecret, ad)
	if err != nil {
		b.Fatal(err)
	}
	data := []byte("challenge-id-of-26-chars-x\x00123456")
	hash := s.MAC("challenge", "alice", data)
	b.Run("Open", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Open(sealed, ad); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MAC", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.MAC("challenge", "alice", data)
		}
	})
	b.Run("CheckMAC", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !s.CheckMAC(hash, "challenge", "alice", data) {
				b.Fatal("hash refused")
			}
		}
	})
}

// pairedFn is one contender of a paired benchmark.
type pairedFn struct {
	name string
	fn   func()
}

// runPaired runs each function k times in turn per round, for b.N rounds,
// starting each round with the next function, so that a noisy machine (or
// the garbage collector) slows every contender alike. It reports the time
// per call of each as the metric ns/<name> and the first's time over each
// other's as <first>/<name>. ns/op is the time of a whole round.
func runPaired(b *testing.B, k int, fns ...pairedFn) {
	total := make([]time.Duration, len(fns))
	calls := 0
	for round := 0; b.Loop(); round++ {
		for j := range fns {
			i := (round + j) % len(fns)
			start := time.Now()
			for range k {
				fns[i].fn()
			}
			total[i] += time.Since(start)
		}
		calls += k
	}
	for i, f := range fns {
		b.ReportMetric(float64(total[i].Nanoseconds())/float64(calls), "ns/"+f.name)
		if i > 0 && total[i] > 0 {
			b.ReportMetric(float64(total[0])/float64(total[i]), fns[0].name+"/"+f.name)
		}
	}
}

// BenchmarkPairedTOTPWrong runs
// BenchmarkVerifyTOTP/memstore/ManyUsers/WrongCode,
// BenchmarkPquernaValidateCustom and BenchmarkHMACFloor interleaved, 16
// calls of each in turn, and reports the ratios twostep/pquerna and
// twostep/floor, which hold up on a noisy machine better than ratios of
// separate benchmarks.
func BenchmarkPairedTOTPWrong(b *testing.B) {
	ctx := context.Background()
	m, answers := perfMany(b, memstore.New())
	next := 0
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(perfSecret)
	opts := pqtotp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	mac := hmac.New(sha1.New, perfSecret)
	var ctr [8]byte
	sum := make([]byte, 0, sha1.Size)
	step := uint64(perfStep(perfNow))
	runPaired(b, 16,
		pairedFn{"twostep", func() {
			perfWrong(ctx, b, m, answers[next%len(answers)])
			next++
		}},
		pairedFn{"pquerna", func() {
			if ok, err := pqtotp.ValidateCustom(perfWrongCode, secret, perfNow, opts); ok || err != nil {
				b.Fatal("wrong code accepted, or", err)
			}
		}},
		pairedFn{"floor", func() {
			for s := step - 1; s <= step+1; s++ {
				mac.Reset()
				binary.BigEndian.PutUint64(ctr[:], s)
				mac.Write(ctr[:])
				h := mac.Sum(sum[:0])
				off := h[len(h)-1] & 0x0f
				perfSink ^= (binary.BigEndian.Uint32(h[off:]) & 0x7fffffff) % 1000000
			}
		}},
	)
}
