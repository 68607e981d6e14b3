// Command quickstart is the smallest twostep program: it enrols a user's
// authenticator app in memory, writes the QR code to a PNG file, prints the
// otpauth URI and the key as text, and verifies a code read from standard
// input or from the -code flag.
//
//	go run ./examples/quickstart
//
// Each run makes a new key unless -key gives one it printed before, so a
// code can also be checked without a prompt:
//
//	go run ./examples/quickstart -key 'JBSW Y3DP …' -code 123456
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/totp"
)

func main() {
	code := flag.String("code", "", "the code your authenticator app shows (read from stdin when empty)")
	key := flag.String("key", "", "a base32 key printed by an earlier run, already in your app (default: a new key)")
	qr := flag.String("qr", "twostep-qr.png", "where to write the QR code")
	flag.Parse()
	if err := run(context.Background(), os.Stdin, os.Stdout, options{code: *code, key: *key, qrPath: *qr}); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	code   string // the code to check; read from the input when empty
	key    string // an existing base32 key; a new one when empty
	qrPath string // where the QR PNG goes
}

func run(ctx context.Context, in io.Reader, out io.Writer, opt options) error {
	app, err := totp.New(totp.Config{Issuer: "twostep quickstart"})
	if err != nil {
		return err
	}
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{app}})
	if err != nil {
		return err
	}
	enrol := factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Label: "Phone"}
	if opt.key != "" {
		if enrol.Secret, err = totp.ParseSecret(opt.key); err != nil {
			return fmt.Errorf("-key: %w", err)
		}
	}
	e, err := m.Enroll(ctx, enrol, time.Now())
	if err != nil {
		return err
	}
	key, err := app.Key(e.Secret, "alice@example.com")
	if err != nil {
		return err
	}
	png, err := key.PNG(256)
	if err != nil {
		return err
	}
	if err := os.WriteFile(opt.qrPath, png, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(out, "Scan %s with your authenticator app, or add this key by hand:\n\n  %s\n\nURI: %s\n\n", opt.qrPath, key.Text(), key.URI())
	code := opt.code
	if code == "" {
		if code, err = prompt(in, out); err != nil {
			return err
		}
	}
	_, err = m.Confirm(ctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: code}, time.Now())
	if err != nil {
		return fmt.Errorf("%s (%w)", factor.UserMessage(err, "en"), err)
	}
	fmt.Fprintln(out, "Code accepted: the authenticator app is enrolled.")
	return nil
}

func prompt(in io.Reader, out io.Writer) (string, error) {
	fmt.Fprint(out, "Code: ")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no code entered: %w", err)
	}
	return strings.TrimSpace(line), nil
}
