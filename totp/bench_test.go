package totp

import (
	"context"
	"encoding/base32"
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
