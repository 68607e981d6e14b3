package totp

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

func TestParseSecret(t *testing.T) {
	want := []byte(seedSHA1)
	for _, in := range []string{
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
		"GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
		"gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq",
		"  GeZd\tGNBV GY3T QOJQ GEZD GNBV GY3T QOJQ \t",
	} {
		got, err := ParseSecret(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}

	for _, in := range []string{"GEZDGNBVGY3TQOJQGEZDGNBVGY", "GEZDGNBVGY3TQOJQGEZDGNBVGY======", "GEZD GNBV GY3T QOJQ GEZD GNBV GY=="} {
		got, err := ParseSecret(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want[:16], got, "%q", in)
	}
}

func TestParseSecretRefuses(t *testing.T) {
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", "empty"},
		{"only spaces", " - - ", "empty"},
		{"digit 1", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", "A to Z"},
		{"digit 0", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ0", "A to Z"},
		{"non-ASCII", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJÖ", "A to Z"},
		{"padding inside", "GEZDGNBV=GY3TQOJQGEZDGNBVGY3TQOJQ", "padding"},
		{"impossible length", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQO", "length"},
		{"104 bits", "GEZDGNBVGY3TQOJQGEZDG", "112 bits"},
		{"111 bits", strings.Repeat("A", 22), "length"},
		{"over 1024 bits", strings.Repeat("A", 208), "1024 bits"},
		{"over 1024 characters", strings.Repeat(" ", 1000) + strings.Repeat("A", 32), "1024 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSecret(tt.in)
			assert.Nil(t, got)
			require.ErrorIs(t, err, factor.ErrMalformed)
			var ie *factor.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "secret", ie.Field)
			assert.Contains(t, ie.Reason, tt.reason)
			assert.NotContains(t, err.Error(), "GEZD")
		})
	}
	got, err := ParseSecret(strings.Repeat("A", 23))
	require.NoError(t, err, "112 bits is enough")
	assert.Len(t, got, 14)
	got, err = ParseSecret(strings.Repeat("A", 205))
	require.NoError(t, err, "1024 bits is allowed")
	assert.Len(t, got, 128)
}

func TestParseURI(t *testing.T) {
	const secret = "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	tests := []struct {
		name, uri       string
		issuer, account string
		alg             Algorithm
		digits          int
		period          time.Duration
	}{
		{"own format", acmeURI, "ACME Co", "alice@example.com", SHA1, 6, 30 * time.Second},
		{"defaults", "otpauth://totp/alice?" + secret, "", "alice", SHA1, 6, 30 * time.Second},
		{"issuer only in label", "otpauth://totp/ACME:alice?" + secret, "ACME", "alice", SHA1, 6, 30 * time.Second},
		{"issuer only as parameter", "otpauth://totp/alice?issuer=ACME+Co&" + secret, "ACME Co", "alice", SHA1, 6, 30 * time.Second},
		{"encoded colon", "otpauth://totp/ACME%3Aalice?" + secret, "ACME", "alice", SHA1, 6, 30 * time.Second},
		{"space before account", "otpauth://totp/ACME:%20%20alice?" + secret, "ACME", "alice", SHA1, 6, 30 * time.Second},
		{"upper-case scheme and type", "OTPAUTH://TOTP/ACME:alice?" + secret, "ACME", "alice", SHA1, 6, 30 * time.Second},
		{"any order, lower case", "otpauth://totp/X:a?period=60&digits=8&algorithm=sha512&" + strings.ToLower(secret) + "&issuer=X",
			"X", "a", SHA512, 8, 60 * time.Second},
		{"unknown parameters", "otpauth://totp/X:a?" + secret + "&image=https%3A%2F%2Fexample.com%2Flogo.png&color=red", "X", "a", SHA1, 6, 30 * time.Second},
		{"padded secret", "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ%3D%3D%3D", "", "a", SHA1, 6, 30 * time.Second},
		{"unicode", "otpauth://totp/Caf%C3%A9:j%C3%BCrgen?" + secret, "Café", "jürgen", SHA1, 6, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseURI(tt.uri)
			require.NoError(t, err)
			assert.Equal(t, tt.issuer, k.Issuer())
			assert.Equal(t, tt.account, k.Account())
			assert.Equal(t, tt.alg, k.Algorithm())
			assert.Equal(t, tt.digits, k.Digits())
			assert.Equal(t, tt.period, k.Period())
			assert.Equal(t, []byte(seedSHA1), k.Secret())

			again, err := ParseURI(k.URI())
			require.NoError(t, err)
			assert.Equal(t, k, again)
		})
	}
}

func TestParseURIWithoutIssuerWritesPlainLabel(t *testing.T) {
	k, err := ParseURI("otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	require.NoError(t, err)
	assert.Equal(t, "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30", k.URI())
}

func TestParseURIRefuses(t *testing.T) {
	const secret = "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	tests := []struct {
		name, uri, field, reason string
	}{
		{"empty", "", "uri", "otpauth"},
		{"not a URI", "otpauth://totp/%zz?" + secret, "uri", "not a valid URI"},
		{"other scheme", "https://totp/a?" + secret, "uri", "otpauth"},
		{"opaque", "otpauth:totp/a?" + secret, "uri", "otpauth"},
		{"hotp", "otpauth://hotp/a?" + secret + "&counter=1", "uri", "TOTP"},
		{"user info", "otpauth://x@totp/a?" + secret, "uri", "TOTP"},
		{"port", "otpauth://totp:80/a?" + secret, "uri", "TOTP"},
		{"no account", "otpauth://totp/?" + secret, "uri", "account empty"},
		{"empty account after issuer", "otpauth://totp/ACME:?" + secret, "uri", "account empty"},
		{"two colons", "otpauth://totp/A:b:c?" + secret, "uri", "account contains ':'"},
		{"colon in issuer parameter", "otpauth://totp/a?issuer=A:B&" + secret, "uri", "issuer contains ':'"},
		{"issuers differ", "otpauth://totp/A:a?issuer=B&" + secret, "uri", "differs"},
		{"control character", "otpauth://totp/A:a%0A?" + secret, "uri", "control"},
		{"bad query", "otpauth://totp/a?" + secret + "&x=%zz", "uri", "query"},
		{"no secret", "otpauth://totp/a?issuer=A", "uri", "no secret"},
		{"empty secret", "otpauth://totp/a?secret=", "uri", "no secret"},
		{"two secrets", "otpauth://totp/a?" + secret + "&" + secret, "uri", "repeated secret"},
		{"two issuers", "otpauth://totp/a?" + secret + "&issuer=A&issuer=A", "uri", "repeated issuer"},
		{"short secret", "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDG", "secret", "112 bits"},
		{"bad secret", "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", "secret", "A to Z"},
		{"algorithm", "otpauth://totp/a?" + secret + "&algorithm=MD5", "uri", "algorithm"},
		{"digits 7", "otpauth://totp/a?" + secret + "&digits=7", "uri", "digits"},
		{"digits 06", "otpauth://totp/a?" + secret + "&digits=06", "uri", "digits"},
		{"period 121", "otpauth://totp/a?" + secret + "&period=121", "uri", "period"},
		{"period 0", "otpauth://totp/a?" + secret + "&period=0", "uri", "period"},
		{"period text", "otpauth://totp/a?" + secret + "&period=30s", "uri", "period"},
		{"too long", "otpauth://totp/a?" + secret + "&x=" + strings.Repeat("y", 2048), "uri", "2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseURI(tt.uri)
			assert.Nil(t, k)
			require.ErrorIs(t, err, factor.ErrMalformed)
			var ie *factor.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Contains(t, ie.Reason, tt.reason)
			assert.NotContains(t, err.Error(), "GEZD", "errors never repeat the secret")
		})
	}
}
