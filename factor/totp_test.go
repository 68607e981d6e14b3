package factor_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/totp"
)

var rfcSecret = []byte("12345678901234567890")

// code computes the 6-digit TOTP code for the RFC secret at t, independently
// of the totp package.
func code(t time.Time) string { return codeFor(rfcSecret, t) }

// codeFor computes the 6-digit SHA-1 TOTP code for secret at t.
func codeFor(secret []byte, t time.Time) string {
	mac := hmac.New(sha1.New, secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.Unix()/30))
	mac.Write(b[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

func totpManager(t testing.TB, w totp.Window) (*factor.Manager, string) {
	app, err := totp.New(totp.Config{Issuer: "Test", Window: w})
	require.NoError(t, err)
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{app}})
	require.NoError(t, err)
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Secret: rfcSecret}, now.Add(-time.Hour))
	require.NoError(t, err)
	require.NoError(t, factortest.Err(m.Confirm(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: code(now.Add(-time.Hour))}, now.Add(-time.Hour))))
	return m, e.ID
}

func TestTOTPReplay(t *testing.T) {
	ctx := context.Background()
	m, id := totpManager(t, totp.Window{})
	now := time.Unix(1_700_000_000, 0)
	at := func(c string) factor.Answer { return factor.Answer{UserID: "alice", EnrollmentID: id, Code: c} }

	require.NoError(t, factortest.Err(m.Verify(ctx, at(code(now)), now)))
	assert.ErrorIs(t, factortest.Err(m.Verify(ctx, at(code(now)), now)), factor.ErrInvalidCode, "the same code twice")
	assert.ErrorIs(t, factortest.Err(m.Verify(ctx, at(code(now.Add(-30*time.Second))), now)), factor.ErrInvalidCode, "T-1 after T")
	require.NoError(t, factortest.Err(m.Verify(ctx, at(code(now.Add(30*time.Second))), now)), "T+1 is still new")
}

func TestTOTPConcurrentOneWinner(t *testing.T) {
	ctx := context.Background()
	m, id := totpManager(t, totp.Window{})
	now := time.Unix(1_700_000_000, 0)
	var wins, invalid atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: id, Code: code(now)}, now)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, factor.ErrInvalidCode), errors.Is(err, factor.ErrLocked):
				invalid.Add(1)
			default:
				t.Errorf("unexpected %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(1), wins.Load())
	assert.Equal(t, int64(99), invalid.Load())
}

func TestTOTPWindowThroughManager(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	step := 30 * time.Second
	for _, tc := range []struct {
		name   string
		window totp.Window
		offset int
		ok     bool
	}{
		{"default T-2", totp.Window{}, -2, false},
		{"default T-1", totp.Window{}, -1, true},
		{"default T", totp.Window{}, 0, true},
		{"default T+1", totp.Window{}, 1, true},
		{"default T+2", totp.Window{}, 2, false},
		{"current+previous T-1", totp.Steps(1, 0), -1, true},
		{"current+previous T", totp.Steps(1, 0), 0, true},
		{"current+previous T+1", totp.Steps(1, 0), 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, id := totpManager(t, tc.window)
			c := code(now.Add(time.Duration(tc.offset) * step))
			_, err := m.Verify(context.Background(), factor.Answer{UserID: "alice", EnrollmentID: id, Code: c}, now)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, factor.ErrInvalidCode)
			}
		})
	}
}

// BenchmarkTOTPVerify measures the Manager's whole TOTP path on memstore:
// failure accounting, the sealed secret, the window and the replay guard.
func BenchmarkTOTPVerify(b *testing.B) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	b.Run("twostep/wrong", func(b *testing.B) {
		m, id := totpManager(b, totp.Window{})
		a := factor.Answer{UserID: "alice", EnrollmentID: id, Code: "000000"}
		b.ReportAllocs()
		for b.Loop() {
			// Unlock each time so the benchmark measures comparisons, not
			// the lock.
			if _, err := m.Verify(ctx, a, now); errors.Is(err, factor.ErrLocked) {
				_ = m.Unlock(ctx, factor.UnlockRequest{UserID: "alice", Actor: "bench"}, now)
			}
		}
	})
	b.Run("twostep/right", func(b *testing.B) {
		m, id := totpManager(b, totp.Window{})
		a := factor.Answer{UserID: "alice", EnrollmentID: id}
		t := now
		b.ReportAllocs()
		for b.Loop() {
			t = t.Add(30 * time.Second)
			a.Code = code(t)
			if _, err := m.Verify(ctx, a, t); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pquerna/ValidateCustom/wrong", func(b *testing.B) {
		secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(rfcSecret)
		opts := pqtotp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
		b.ReportAllocs()
		for b.Loop() {
			if ok, _ := pqtotp.ValidateCustom("000000", secret, now, opts); ok {
				b.Fatal("accepted")
			}
		}
	})
}
