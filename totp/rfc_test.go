package totp

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// The seeds of the RFC test vectors, one per hash function.
const (
	seedSHA1   = "12345678901234567890"
	seedSHA256 = "12345678901234567890123456789012"
	seedSHA512 = "1234567890123456789012345678901234567890123456789012345678901234"
)

// TestHOTPRFC4226 checks the HOTP values of RFC 4226, appendix D, for
// counters 0 to 9: directly, and through Verify, where with 1-second steps
// and no window the step at Unix time c is counter c.
func TestHOTPRFC4226(t *testing.T) {
	values := []string{
		"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489",
	}
	t.Run("truncate", func(t *testing.T) {
		for counter, want := range values {
			mac := hmac.New(sha1.New, []byte(seedSHA1))
			mac.Write(binary.BigEndian.AppendUint64(nil, uint64(counter)))
			got := fmt.Sprintf("%06d", truncate(mac.Sum(nil))%1000000)
			assert.Equal(t, want, got, "counter %d", counter)
		}
	})
	t.Run("Verify", func(t *testing.T) {
		f, err := New(Config{Issuer: "RFC 4226", Period: time.Second, Window: Steps(0, 0)})
		require.NoError(t, err)
		for counter, code := range values {
			e := &factor.Enrollment{Secret: []byte(seedSHA1), Counter: int64(counter) - 1}
			now := time.Unix(int64(counter), 0)
			require.NoError(t, f.Verify(context.Background(), e, code, now), "counter %d", counter)
			assert.Equal(t, int64(counter), e.Counter)
		}
	})
}

func TestTOTPVerifyRFC6238(t *testing.T) {
	seeds := map[Algorithm]string{SHA1: seedSHA1, SHA256: seedSHA256, SHA512: seedSHA512}
	tests := []struct {
		unix int64
		alg  Algorithm
		code string
	}{
		{59, SHA1, "94287082"},
		{59, SHA256, "46119246"},
		{59, SHA512, "90693936"},
		{1111111109, SHA1, "07081804"},
		{1111111109, SHA256, "68084774"},
		{1111111109, SHA512, "25091201"},
		{1111111111, SHA1, "14050471"},
		{1111111111, SHA256, "67062674"},
		{1111111111, SHA512, "99943326"},
		{1234567890, SHA1, "89005924"},
		{1234567890, SHA256, "91819424"},
		{1234567890, SHA512, "93441116"},
		{2000000000, SHA1, "69279037"},
		{2000000000, SHA256, "90698825"},
		{2000000000, SHA512, "38618901"},
		{20000000000, SHA1, "65353130"},
		{20000000000, SHA256, "77737706"},
		{20000000000, SHA512, "47863826"},
	}
	for _, tt := range tests {
		t.Run(tt.alg.String()+"/"+time.Unix(tt.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			f, err := New(Config{Issuer: "RFC 6238", Algorithm: tt.alg, Digits: 8, Window: Steps(0, 0)})
			require.NoError(t, err)
			e := &factor.Enrollment{Secret: []byte(seeds[tt.alg])}
			require.NoError(t, f.Verify(context.Background(), e, tt.code, time.Unix(tt.unix, 0)))
			assert.Equal(t, tt.unix/30, e.Counter)

			wrong := &factor.Enrollment{Secret: []byte(seeds[tt.alg])}
			err = f.Verify(context.Background(), wrong, flip(tt.code), time.Unix(tt.unix, 0))
			assert.ErrorIs(t, err, factor.ErrInvalidCode)
			assert.Zero(t, wrong.Counter, "a refused code must not move the counter")
		})
	}
}

// flip returns code with its last digit changed.
func flip(code string) string {
	last := code[len(code)-1]
	return code[:len(code)-1] + string('0'+(last-'0'+1)%10)
}

// TestTruncate checks truncate for every hash size and every offset the
// last byte can pick, against the bytes it must pick.
func TestTruncate(t *testing.T) {
	for _, size := range []int{sha1.Size, sha256.Size, sha512.Size} {
		for off := range 16 {
			sum := make([]byte, size)
			for i := range sum {
				sum[i] = byte(i*37 + off + size)
			}
			sum[size-1] = sum[size-1]&0xf0 | byte(off)
			want := uint32(sum[off]&0x7f)<<24 | uint32(sum[off+1])<<16 | uint32(sum[off+2])<<8 | uint32(sum[off+3])
			assert.Equal(t, want, truncate(sum), "%d-byte sum, offset %d", size, off)
		}
	}
}
