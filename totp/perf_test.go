package totp

import (
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"github.com/stretchr/testify/require"
)

// BenchmarkQR measures Key.PNG, the QR code a host shows while a user sets
// up an authenticator app, beside its anchor: go-qrcode's bare
// qrcode.Encode of the same otpauth URI at the same level and size.
func BenchmarkQR(b *testing.B) {
	k, err := newFactor(b, Config{Issuer: "ACME Co"}).Key([]byte(seedSHA1), "alice@example.com")
	require.NoError(b, err)
	uri := k.URI()
	b.Run("Key.PNG", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.PNG(256); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("qrcode.Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := qrcode.Encode(uri, qrcode.Medium, 256); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPairedQR runs Key.PNG and the bare qrcode.Encode interleaved,
// one call of each in turn, and reports the ratio png/encode, which holds
// up on a noisy machine better than the ratio of separate benchmarks.
func BenchmarkPairedQR(b *testing.B) {
	k, err := newFactor(b, Config{Issuer: "ACME Co"}).Key([]byte(seedSHA1), "alice@example.com")
	require.NoError(b, err)
	uri := k.URI()
	var png, encode time.Duration
	for i := 0; b.Loop(); i++ {
		// Alternate the order, so that neither always pays for the
		// other's garbage.
		if i%2 == 0 {
			png += timeQR(b, func() ([]byte, error) { return k.PNG(256) })
			encode += timeQR(b, func() ([]byte, error) { return qrcode.Encode(uri, qrcode.Medium, 256) })
		} else {
			encode += timeQR(b, func() ([]byte, error) { return qrcode.Encode(uri, qrcode.Medium, 256) })
			png += timeQR(b, func() ([]byte, error) { return k.PNG(256) })
		}
	}
	b.ReportMetric(float64(png.Nanoseconds())/float64(b.N), "ns/png")
	b.ReportMetric(float64(encode.Nanoseconds())/float64(b.N), "ns/encode")
	b.ReportMetric(float64(png)/float64(encode), "png/encode")
}

func timeQR(b *testing.B, f func() ([]byte, error)) time.Duration {
	start := time.Now()
	if _, err := f(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
