package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor/factortest"
)

func TestWrongCodeIsRefused(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), strings.NewReader("000000\n"), &out, options{qrPath: filepath.Join(t.TempDir(), "qr.png")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "incorrect")
	assert.Contains(t, out.String(), "otpauth://totp/")
	assert.NotContains(t, out.String(), "Code accepted")
}

// TestRightCodeFromOathtool runs the interactive path: oathtool plays the
// user's app, reading the key the program prints, and the code is typed at
// the prompt.
func TestRightCodeFromOathtool(t *testing.T) {
	oathtool := requireTool(t, "oathtool", "oathtool")
	// The key is random, so read it from the output first, which is what a
	// person does with the printed text.
	pr, pw := io.Pipe()
	var out factortest.LogBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), pr, &out, options{qrPath: filepath.Join(t.TempDir(), "qr.png")})
	}()
	secret := waitFor(t, &out, regexp.MustCompile(`secret=([A-Z2-7]+)`))
	code, err := exec.Command(oathtool, "--totp", "-b", secret).Output()
	require.NoError(t, err)
	_, _ = pw.Write(append(bytes.TrimSpace(code), '\n'))
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "Code accepted")
}

// TestKeyFlag runs the non-interactive path: a key given with -key, as a
// person types it from an earlier run, and a code given with -code. The
// program must not read its input.
func TestKeyFlag(t *testing.T) {
	oathtool := requireTool(t, "oathtool", "oathtool")
	const key = "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" // 160 bits, as Key.Text prints it

	t.Run("right code", func(t *testing.T) {
		code, err := exec.Command(oathtool, "--totp", "-b", key).Output()
		require.NoError(t, err)
		var out bytes.Buffer
		err = run(context.Background(), noInput{t}, &out, options{
			key: key, code: string(bytes.TrimSpace(code)), qrPath: filepath.Join(t.TempDir(), "qr.png"),
		})
		require.NoError(t, err)
		assert.Contains(t, out.String(), "Code accepted")
		assert.Contains(t, out.String(), "\n  "+key+"\n", "the printed key is the one given")
		assert.NotContains(t, out.String(), "Code: ", "no prompt")
	})

	t.Run("wrong code", func(t *testing.T) {
		wrong := codeNotValidNear(t, oathtool, key, time.Now())
		var out bytes.Buffer
		err := run(context.Background(), noInput{t}, &out, options{
			key: key, code: wrong, qrPath: filepath.Join(t.TempDir(), "qr.png"),
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "incorrect")
		assert.NotContains(t, out.String(), "Code accepted")
	})

	t.Run("malformed key", func(t *testing.T) {
		var out bytes.Buffer
		err := run(context.Background(), noInput{t}, &out, options{
			key: "not base32!", code: "123456", qrPath: filepath.Join(t.TempDir(), "qr.png"),
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "-key")
		assert.NotContains(t, out.String(), "Code accepted")
	})
}

// codeNotValidNear returns a six-digit code that is none of the codes
// oathtool computes for key from 90 seconds before now to 90 seconds after,
// so it is wrong for any step the program accepts while the test runs.
func codeNotValidNear(t *testing.T, oathtool, key string, now time.Time) string {
	t.Helper()
	from := now.Add(-90 * time.Second).UTC().Format("2006-01-02 15:04:05 UTC")
	out, err := exec.Command(oathtool, "--totp", "-b", "-w", "6", "--now", from, key).Output()
	require.NoError(t, err)
	near := strings.Fields(string(out))
	require.Len(t, near, 7)
	for d := range 10 {
		c := strings.Repeat(fmt.Sprint(d), 6)
		if !slices.Contains(near, c) {
			return c
		}
	}
	t.Fatal("every repeated-digit code is valid near now")
	return ""
}

// noInput is an input that fails the test when it is read.
type noInput struct{ t *testing.T }

func (r noInput) Read([]byte) (int, error) {
	r.t.Error("the program read its input although -code was given")
	return 0, io.EOF
}
