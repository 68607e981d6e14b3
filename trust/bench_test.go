package trust_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/trust"
)

// benchDevices returns Devices on a Manager on a memstore, with a fixed key
// and a discarding logger.
func benchDevices(tb testing.TB) *trust.Devices {
	tb.Helper()
	m, err := factor.NewManager(factor.Config{
		Store:  memstore.New(),
		Keys:   []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	d, err := trust.New(m, trust.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// benchToken trusts a device of user for a week from t0 and returns its
// token.
func benchToken(tb testing.TB, d *trust.Devices, user string) string {
	tb.Helper()
	tok, err := d.Remember(context.Background(), user, "Firefox on Linux", 7*24*time.Hour, t0)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// BenchmarkCheck measures checking a remember-this-device token on a
// memstore: parsing the token, loading the device, comparing the keyed hash
// in constant time and recording the use. "tampered" is a well-formed token
// whose validator is wrong; "unknown" names no device.
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	d := benchDevices(b)
	tok := benchToken(b, d, "alice")
	tampered := tok[:len(tok)-2] + "AA"
	if tampered == tok {
		tampered = tok[:len(tok)-2] + "BA"
	}
	unknown := benchToken(b, benchDevices(b), "alice")
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		name  string
		token string
		want  bool
	}{{"trusted", tok, true}, {"tampered", tampered, false}, {"unknown", unknown, false}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := d.Check(ctx, "alice", tc.token, now); ok != tc.want || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
