package main

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrongCodeIsRefused(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), strings.NewReader("000000\n"), &out, "", filepath.Join(t.TempDir(), "qr.png"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "incorrect")
	assert.Contains(t, out.String(), "otpauth://totp/")
}

func TestRightCodeFromOathtool(t *testing.T) {
	if _, err := exec.LookPath("oathtool"); err != nil {
		t.Skip("oathtool not installed")
	}
	// The key is random, so run twice: first to learn it, which is what a
	// person does with the printed text.
	pr, pw := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), pr, &out, "", filepath.Join(t.TempDir(), "qr.png")) }()
	secret := waitFor(t, &out, regexp.MustCompile(`secret=([A-Z2-7]+)`))
	code, err := exec.Command("oathtool", "--totp", "-b", secret).Output()
	require.NoError(t, err)
	_, _ = pw.Write(append(bytes.TrimSpace(code), '\n'))
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "Code accepted")
}
