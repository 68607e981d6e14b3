package totp

import (
	"context"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// Factor provides every optional interface the Manager looks for.
var (
	_ factor.Verifier       = (*Factor)(nil)
	_ factor.CodeNormalizer = (*Factor)(nil)
	_ factor.Preparer       = (*Factor)(nil)
)

// testNow returns a fixed time in the middle of a 30-second step.
func testNow() time.Time { return time.Date(2026, 1, 1, 0, 0, 15, 0, time.UTC) }

func newFactor(t testing.TB, cfg Config) *Factor {
	t.Helper()
	if cfg.Issuer == "" {
		cfg.Issuer = "Test"
	}
	f, err := New(cfg)
	require.NoError(t, err)
	return f
}

// codeAt returns f's code for secret at time step.
func codeAt(f *Factor, secret []byte, step int64) string {
	mac := hmac.New(f.cfg.Algorithm.hash, secret)
	mac.Write(binary.BigEndian.AppendUint64(nil, uint64(step)))
	return fmt.Sprintf("%0*d", f.cfg.Digits, truncate(mac.Sum(nil))%f.modulus)
}

func currentStep(now time.Time) int64 { return now.Unix() / 30 }

func TestVerifyWindow(t *testing.T) {
	secret := []byte(seedSHA1)
	now := testNow()
	step := currentStep(now)
	tests := []struct {
		name   string
		window Window
		accept []int64 // offsets from the current step
		refuse []int64
	}{
		{"default", Window{}, []int64{-1, 0, 1}, []int64{-3, -2, 2, 3}},
		{"behind 1 ahead 0", Steps(1, 0), []int64{-1, 0}, []int64{-2, 1, 2}},
		{"exact", Steps(0, 0), []int64{0}, []int64{-1, 1}},
		{"behind 0 ahead 2", Steps(0, 2), []int64{0, 1, 2}, []int64{-1, 3}},
		{"maximum", Steps(10, 10), []int64{-10, 0, 10}, []int64{-11, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFactor(t, Config{Window: tt.window})
			for _, off := range tt.accept {
				e := &factor.Enrollment{Secret: secret}
				err := f.Verify(context.Background(), e, codeAt(f, secret, step+off), now)
				require.NoError(t, err, "offset %d", off)
				assert.Equal(t, step+off, e.Counter, "offset %d", off)
			}
			for _, off := range tt.refuse {
				e := &factor.Enrollment{Secret: secret}
				err := f.Verify(context.Background(), e, codeAt(f, secret, step+off), now)
				require.ErrorIs(t, err, factor.ErrInvalidCode, "offset %d", off)
				assert.Zero(t, e.Counter, "offset %d", off)
			}
		})
	}
}

func TestVerifyWindowEdgesOfStep(t *testing.T) {
	f := newFactor(t, Config{Window: Steps(0, 0)})
	secret := []byte(seedSHA1)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	code := codeAt(f, secret, currentStep(start))
	for _, now := range []time.Time{start, start.Add(29*time.Second + 999*time.Millisecond)} {
		assert.NoError(t, f.Verify(context.Background(), &factor.Enrollment{Secret: secret}, code, now), now)
	}
	for _, now := range []time.Time{start.Add(-time.Nanosecond), start.Add(30 * time.Second)} {
		assert.ErrorIs(t, f.Verify(context.Background(), &factor.Enrollment{Secret: secret}, code, now), factor.ErrInvalidCode, now)
	}
}

func TestVerifyReplay(t *testing.T) {
	f := newFactor(t, Config{})
	secret := []byte(seedSHA1)
	step := currentStep(testNow())
	ctx := context.Background()
	e := &factor.Enrollment{Secret: secret}

	require.NoError(t, f.Verify(ctx, e, codeAt(f, secret, step), testNow()))
	require.Equal(t, step, e.Counter)

	assert.ErrorIs(t, f.Verify(ctx, e, codeAt(f, secret, step), testNow()), factor.ErrInvalidCode, "same code again")
	assert.ErrorIs(t, f.Verify(ctx, e, codeAt(f, secret, step-1), testNow()), factor.ErrInvalidCode, "earlier code")
	assert.ErrorIs(t, f.Verify(ctx, e, codeAt(f, secret, step), testNow().Add(30*time.Second)), factor.ErrInvalidCode, "same code, next step")
	assert.Equal(t, step, e.Counter, "refusals must not move the counter")

	require.NoError(t, f.Verify(ctx, e, codeAt(f, secret, step+1), testNow()), "a later code is fine")
	assert.Equal(t, step+1, e.Counter)
}

func TestVerifyReplayAfterAheadCode(t *testing.T) {
	f := newFactor(t, Config{})
	secret := []byte(seedSHA1)
	step := currentStep(testNow())
	e := &factor.Enrollment{Secret: secret}
	require.NoError(t, f.Verify(context.Background(), e, codeAt(f, secret, step+1), testNow()))
	err := f.Verify(context.Background(), e, codeAt(f, secret, step), testNow().Add(30*time.Second))
	assert.ErrorIs(t, err, factor.ErrInvalidCode, "the current code is older than the accepted one")
}

func TestVerifyErrors(t *testing.T) {
	f := newFactor(t, Config{})
	secret := []byte(seedSHA1)
	code := codeAt(f, secret, currentStep(testNow()))
	tests := []struct {
		name    string
		secret  []byte
		code    string
		now     time.Time
		wantIs  error
		invalid bool
	}{
		{"wrong code", secret, flip(code), testNow(), factor.ErrInvalidCode, true},
		{"letters", secret, "12a456", testNow(), factor.ErrMalformed, false},
		{"too short", secret, "12345", testNow(), factor.ErrMalformed, false},
		{"too long", secret, strings.Repeat("1", 65), testNow(), factor.ErrMalformed, false},
		{"no secret", nil, code, testNow(), nil, false},
		{"short secret", secret[:13], code, testNow(), nil, false},
		{"before 1970", secret, code, time.Unix(-1, 0), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &factor.Enrollment{Secret: tt.secret}
			err := f.Verify(context.Background(), e, tt.code, tt.now)
			require.Error(t, err)
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			assert.Equal(t, tt.invalid, errors.Is(err, factor.ErrInvalidCode))
			assert.NotContains(t, err.Error(), code)
			assert.NotContains(t, err.Error(), seedSHA1)
			assert.Zero(t, e.Counter)
		})
	}
}

func TestVerifyAcceptsSpaces(t *testing.T) {
	f := newFactor(t, Config{})
	secret := []byte(seedSHA1)
	code := codeAt(f, secret, currentStep(testNow()))
	e := &factor.Enrollment{Secret: secret}
	require.NoError(t, f.Verify(context.Background(), e, " "+code[:3]+" "+code[3:]+"\n", testNow()))
}

func TestVerifyCounterAtEnd(t *testing.T) {
	f := newFactor(t, Config{Period: time.Second})
	e := &factor.Enrollment{Secret: []byte(seedSHA1), Counter: 1<<63 - 1}
	err := f.Verify(context.Background(), e, "123456", testNow())
	assert.ErrorIs(t, err, factor.ErrInvalidCode)
}

func TestNormalizeCode(t *testing.T) {
	six := newFactor(t, Config{})
	eight := newFactor(t, Config{Digits: 8})
	tests := []struct {
		f       *Factor
		in      string
		want    string
		wantErr string
	}{
		{six, "123456", "123456", ""},
		{six, "000000", "000000", ""},
		{six, "123 456", "123456", ""},
		{six, " 1 2 3 4 5 6 ", "123456", ""},
		{six, "123456\r\n", "123456", ""},
		{six, "\t123456", "123456", ""},
		{eight, "1234 5678", "12345678", ""},
		{six, "", "", "must be 6 digits"},
		{six, "   ", "", "must be 6 digits"},
		{six, "12345", "", "must be 6 digits"},
		{six, "1234567", "", "must be 6 digits"},
		{eight, "123456", "", "must be 8 digits"},
		{six, "12345a", "", "only the digits"},
		{six, "123-456", "", "must be 6 digits"},
		{six, "12345٦", "", "must be 6 digits"},
		{six, "１２３４５６", "", "must be 6 digits"},
		{six, "+12345", "", "only the digits"},
		{six, strings.Repeat(" ", 58) + "123456", "123456", ""},
		{six, strings.Repeat(" ", 59) + "123456", "", "too long"},
	}
	for _, tt := range tests {
		got, err := tt.f.NormalizeCode(tt.in)
		if tt.wantErr != "" {
			require.ErrorIs(t, err, factor.ErrMalformed, "%q", tt.in)
			var ie *factor.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "code", ie.Field)
			assert.Contains(t, ie.Reason, tt.wantErr, "%q", tt.in)
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.want, got)
	}
}

func TestNormalizeCodeCanonicalDoesNotAllocate(t *testing.T) {
	f := newFactor(t, Config{})
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = f.NormalizeCode("123456")
	})
	assert.Zero(t, allocs)
}

func TestPrepare(t *testing.T) {
	f := newFactor(t, Config{})
	a := &factor.Enrollment{Kind: factor.KindTOTP}
	b := &factor.Enrollment{Kind: factor.KindTOTP}
	require.NoError(t, f.Prepare(a))
	require.NoError(t, f.Prepare(b))
	assert.Len(t, a.Secret, 20)
	assert.NotEqual(t, a.Secret, b.Secret)

	big := newFactor(t, Config{SecretSize: 32})
	c := &factor.Enrollment{}
	require.NoError(t, big.Prepare(c))
	assert.Len(t, c.Secret, 32)

	imported := []byte(seedSHA256)
	d := &factor.Enrollment{Secret: imported}
	require.NoError(t, f.Prepare(d))
	assert.Equal(t, imported, d.Secret, "an imported secret is kept")
}

func TestPrepareRefuses(t *testing.T) {
	f := newFactor(t, Config{})
	tests := []struct {
		name  string
		e     factor.Enrollment
		field string
	}{
		{"address", factor.Enrollment{Address: "+31612345678"}, "address"},
		{"empty secret", factor.Enrollment{Secret: []byte{}}, "secret"},
		{"13-byte secret", factor.Enrollment{Secret: make([]byte, 13)}, "secret"},
		{"129-byte secret", factor.Enrollment{Secret: make([]byte, 129)}, "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.Prepare(&tt.e)
			require.ErrorIs(t, err, factor.ErrMalformed)
			var ie *factor.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
		})
	}
	ok := factor.Enrollment{Secret: make([]byte, 14)}
	assert.NoError(t, f.Prepare(&ok), "112 bits is enough")
}
