package totp

import (
	"context"
	"encoding/base32"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// requireTool returns the path of an external program that stands in for a
// real-world part. When it is missing the test is skipped, unless
// TWOSTEP_REQUIRE_SERVICES=1, when it fails.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " not found; install the Debian package " + debianPackage + " to run this interoperability test"
	if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg + " (required: TWOSTEP_REQUIRE_SERVICES=1)")
	}
	t.Skip(msg)
	return ""
}

// newEnrollment returns an enrollment whose secret f generated.
func newEnrollment(t *testing.T, f *Factor) *factor.Enrollment {
	t.Helper()
	e := &factor.Enrollment{Kind: factor.KindTOTP, UserID: "alice"}
	require.NoError(t, f.Prepare(e))
	return e
}

// TestOathtool checks that the codes of oathtool, the OATH Toolkit's
// reference implementation, verify for keys this package makes: oathtool
// plays the user's authenticator app, reading the key as typed from Text.
func TestOathtool(t *testing.T) {
	oathtool := requireTool(t, "oathtool", "oathtool")
	tests := []struct {
		cfg  Config
		args []string
	}{
		{Config{}, []string{"--totp"}},
		{Config{Digits: 8}, []string{"--totp", "-d", "8"}},
		{Config{Algorithm: SHA256}, []string{"--totp=sha256"}},
		{Config{Algorithm: SHA512, Digits: 8}, []string{"--totp=sha512", "-d", "8"}},
		{Config{Period: 60 * time.Second, SecretSize: 32}, []string{"--totp", "-s", "60s"}},
	}
	times := []string{"2026-01-01 00:00:00 UTC", "2026-07-01 13:37:42 UTC", "2038-01-19 03:14:08 UTC"}
	for _, tt := range tests {
		f := newFactor(t, tt.cfg)
		for _, when := range times {
			name := strings.Join(tt.args, " ") + " at " + when
			t.Run(name, func(t *testing.T) {
				e := newEnrollment(t, f)
				k, err := f.Key(e.Secret, "alice@example.com")
				require.NoError(t, err)
				args := append(append([]string{}, tt.args...), "-b", "--now", when, k.Text())
				out, err := exec.Command(oathtool, args...).CombinedOutput()
				require.NoError(t, err, "oathtool: %s", out)
				code := strings.TrimSpace(string(out))
				require.Len(t, code, f.Config().Digits)

				now, err := time.Parse("2006-01-02 15:04:05 MST", when)
				require.NoError(t, err)
				require.NoError(t, f.Verify(context.Background(), e, code, now))
				assert.Equal(t, now.Unix()/int64(f.Config().Period.Seconds()), e.Counter)
				assert.ErrorIs(t, f.Verify(context.Background(), e, code, now), factor.ErrInvalidCode, "replay")
			})
		}
	}
}

// TestZbarimg checks that a QR code decodes to exactly URI(): zbarimg
// plays the phone's camera.
func TestZbarimg(t *testing.T) {
	zbarimg := requireTool(t, "zbarimg", "zbar-tools")
	tests := []struct {
		issuer, account string
		cfg             Config
		size            int
	}{
		{"ACME Co", "alice@example.com", Config{}, 0},
		{"Zorg & Welzijn", "jan.de.vries+test@example.nl", Config{Digits: 8, SecretSize: 32}, 300},
		{"Café Ünïcode", "jürgen", Config{Algorithm: SHA512, SecretSize: 64, Period: 60 * time.Second}, 512},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Issuer = tt.issuer
			f := newFactor(t, cfg)
			k, err := f.Key(newEnrollment(t, f).Secret, tt.account)
			require.NoError(t, err)
			png, err := k.PNG(tt.size)
			require.NoError(t, err)
			file := filepath.Join(t.TempDir(), "key.png")
			require.NoError(t, os.WriteFile(file, png, 0o600))

			out, err := exec.Command(zbarimg, "--raw", "-q", file).Output()
			require.NoError(t, err, "zbarimg could not read the QR code")
			assert.Equal(t, k.URI(), strings.TrimSuffix(string(out), "\n"))

			back, err := ParseURI(strings.TrimSuffix(string(out), "\n"))
			require.NoError(t, err)
			assert.Equal(t, k, back)
		})
	}
}

// TestPquernaCodesVerify checks codes from github.com/pquerna/otp, an
// independent implementation, against Verify for every algorithm and both
// code lengths.
func TestPquernaCodesVerify(t *testing.T) {
	algs := map[Algorithm]otp.Algorithm{SHA1: otp.AlgorithmSHA1, SHA256: otp.AlgorithmSHA256, SHA512: otp.AlgorithmSHA512}
	for alg, pqAlg := range algs {
		for _, digits := range []int{6, 8} {
			t.Run(alg.String()+"/"+strconv.Itoa(digits), func(t *testing.T) {
				f := newFactor(t, Config{Algorithm: alg, Digits: digits, Window: Steps(0, 0)})
				e := newEnrollment(t, f)
				secret := base32.StdEncoding.EncodeToString(e.Secret)
				opts := pqtotp.ValidateOpts{Period: 30, Digits: otp.Digits(digits), Algorithm: pqAlg}
				for i := range int64(20) {
					now := time.Unix(1767225600+i*30, 0)
					code, err := pqtotp.GenerateCodeCustom(secret, now, opts)
					require.NoError(t, err)
					require.NoError(t, f.Verify(context.Background(), e, code, now), "step %d", i)
				}
			})
		}
	}
}
