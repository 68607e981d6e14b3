package totp

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

const acmeURI = "otpauth://totp/ACME%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" +
	"&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"

func acmeKey(t testing.TB) *Key {
	t.Helper()
	k, err := newFactor(t, Config{Issuer: "ACME Co"}).Key([]byte(seedSHA1), "alice@example.com")
	require.NoError(t, err)
	return k
}

func TestKeyURI(t *testing.T) {
	assert.Equal(t, acmeURI, acmeKey(t).URI())
}

func TestKeyURIEncoding(t *testing.T) {
	tests := []struct {
		issuer, account string
		cfg             Config
		want            string
	}{
		{"Zorg & Co", "jan+test@example.nl", Config{},
			"otpauth://totp/Zorg%20%26%20Co:jan%2Btest@example.nl?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Zorg%20%26%20Co&algorithm=SHA1&digits=6&period=30"},
		{"Café/Bar", "a?b=c#d", Config{Algorithm: SHA256, Digits: 8, Period: 60 * time.Second},
			"otpauth://totp/Caf%C3%A9%2FBar:a%3Fb%3Dc%23d?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Caf%C3%A9%2FBar&algorithm=SHA256&digits=8&period=60"},
		{"A-Z_0.9~", "100%", Config{Algorithm: SHA512},
			"otpauth://totp/A-Z_0.9~:100%25?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A-Z_0.9~&algorithm=SHA512&digits=6&period=30"},
	}
	for _, tt := range tests {
		cfg := tt.cfg
		cfg.Issuer = tt.issuer
		k, err := newFactor(t, cfg).Key([]byte(seedSHA1), tt.account)
		require.NoError(t, err)
		assert.Equal(t, tt.want, k.URI())

		back, err := ParseURI(k.URI())
		require.NoError(t, err)
		assert.Equal(t, k, back, "ParseURI(URI()) gives the key back")
	}
}

func TestKeyURIIsReadByPquerna(t *testing.T) {
	k := acmeKey(t)
	pk, err := otp.NewKeyFromURL(k.URI())
	require.NoError(t, err)
	assert.Equal(t, "ACME Co", pk.Issuer())
	assert.Equal(t, "alice@example.com", pk.AccountName())
	assert.Equal(t, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", pk.Secret())
	assert.Equal(t, uint64(30), pk.Period())
	assert.Equal(t, otp.DigitsSix, pk.Digits())
	assert.Equal(t, otp.AlgorithmSHA1, pk.Algorithm())
}

func TestKeyText(t *testing.T) {
	assert.Equal(t, "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", acmeKey(t).Text())

	f := newFactor(t, Config{})
	k, err := f.Key([]byte(seedSHA1[:16]), "bob")
	require.NoError(t, err)
	assert.Equal(t, "GEZD GNBV GY3T QOJQ GEZD GNBV GY", k.Text(), "128 bits, no padding")
	back, err := ParseSecret(k.Text())
	require.NoError(t, err)
	assert.Equal(t, []byte(seedSHA1[:16]), back)
}

func TestKeyAccessors(t *testing.T) {
	k := acmeKey(t)
	assert.Equal(t, "ACME Co", k.Issuer())
	assert.Equal(t, "alice@example.com", k.Account())
	assert.Equal(t, []byte(seedSHA1), k.Secret())
	assert.Equal(t, SHA1, k.Algorithm())
	assert.Equal(t, 6, k.Digits())
	assert.Equal(t, 30*time.Second, k.Period())

	k.Secret()[0] = 'x'
	assert.Equal(t, []byte(seedSHA1), k.Secret(), "Secret returns a copy")

	secret := []byte(seedSHA1)
	k2, err := newFactor(t, Config{}).Key(secret, "a")
	require.NoError(t, err)
	secret[0] = 'x'
	assert.Equal(t, []byte(seedSHA1), k2.Secret(), "Key keeps its own copy")
}

func TestKeyStringHidesSecret(t *testing.T) {
	k := acmeKey(t)
	for _, s := range []string{k.String(), fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		assert.NotContains(t, s, "GEZD")
		assert.NotContains(t, s, seedSHA1)
		assert.NotContains(t, s, "49 50 51") // the bytes of "123"
		assert.Contains(t, s, "alice@example.com")
	}
}

func TestKeyRefuses(t *testing.T) {
	f := newFactor(t, Config{})
	tests := []struct {
		name    string
		secret  []byte
		account string
		field   string
	}{
		{"empty account", []byte(seedSHA1), "", "account"},
		{"colon in account", []byte(seedSHA1), "alice:work", "account"},
		{"account too long", []byte(seedSHA1), strings.Repeat("a", 256), "account"},
		{"control character", []byte(seedSHA1), "alice\x00", "account"},
		{"short secret", []byte(seedSHA1[:13]), "alice", "secret"},
		{"no secret", nil, "alice", "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := f.Key(tt.secret, tt.account)
			assert.Nil(t, k)
			require.ErrorIs(t, err, factor.ErrMalformed)
			var ie *factor.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
		})
	}
}

func TestKeyPNG(t *testing.T) {
	k := acmeKey(t)
	// A 1-pixel request grows to one pixel per module: 57 modules for
	// this URI, quiet zone included.
	for _, tt := range []struct{ size, want int }{{0, 256}, {256, 256}, {512, 512}, {1, 57}, {2048, 2048}} {
		b, err := k.PNG(tt.size)
		require.NoError(t, err, tt.size)
		img, err := png.Decode(bytes.NewReader(b))
		require.NoError(t, err, tt.size)
		assert.Equal(t, tt.want, img.Bounds().Dx(), tt.size)
		assert.Equal(t, tt.want, img.Bounds().Dy(), tt.size)
	}
	for _, size := range []int{-1, 2049} {
		b, err := k.PNG(size)
		assert.Error(t, err, size)
		assert.Nil(t, b)
	}
}

func TestKeyDataURI(t *testing.T) {
	k := acmeKey(t)
	uri, err := k.DataURI(0)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(uri, "data:image/png;base64,"))
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(uri, "data:image/png;base64,"))
	require.NoError(t, err)
	want, err := k.PNG(0)
	require.NoError(t, err)
	assert.Equal(t, want, b)

	_, err = k.DataURI(-5)
	assert.Error(t, err)
}
