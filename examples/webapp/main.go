// Command webapp is a complete login with two-step verification built on
// twostep, in Dutch and English: sign-up and password login, a setup wizard
// for authenticator apps, SMS, voice calls and email codes, recovery codes,
// "remember this device", settings, an admin page and, in development mode,
// an outbox that shows every code the app "sent".
//
//	go run ./examples/webapp
//
// With no flags it keeps a SQLite database and its server keys in
// ./twostep-data, prints every message to the console and the outbox page,
// seeds a demo admin and a demo user, and listens on localhost:8080. Flags
// and environment variables switch to PostgreSQL (-postgres,
// TWOSTEP_POSTGRES), Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
// TWILIO_FROM, TWILIO_PUBLIC_URL) and SMTP (SMTP_HOST, SMTP_PORT,
// SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM); see -help.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}

// run starts the app and serves it until ctx is done.
func run(ctx context.Context, cfg Config, out io.Writer) error {
	app, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	app.PrintWelcome(out, baseURL(cfg.Addr, ln.Addr()))
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// baseURL is the address to open in a browser: the configured host (or
// localhost) with the port actually listened on. Browsers keep Secure
// cookies, such as the remembered-device cookie, on http://localhost.
func baseURL(addr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(bound.String())
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
