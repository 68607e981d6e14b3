// Scaffolding: the command that starts the server, as any app has; this
// file does not call twostep.

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
// SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM); see -help. Development mode
// (-dev, on by default) shows every code on the outbox page, so the app
// refuses to listen beyond localhost with it unless -dev-public is given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := start(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// start reads the command line and the environment and runs the app until
// ctx is done. It returns the exit status: 2 for a bad command line or
// environment, 1 when the app fails, 0 otherwise. Every error is reported
// on stderr.
func start(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2 // parseConfig has reported it
	}
	if err := run(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "webapp:", err)
		return 1
	}
	return 0
}

// run starts the app and serves it until ctx is done. In development mode
// it refuses to listen beyond this machine unless cfg.DevPublic says so:
// the outbox shows every code to anyone who can reach it.
func run(ctx context.Context, cfg Config, out io.Writer) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	public := !loopback(ln.Addr())
	if cfg.Dev && public && !cfg.DevPublic {
		return fmt.Errorf("refusing to start: -dev shows every code sent on /dev/outbox to anyone who can reach %s, "+
			"which is not a loopback address; listen on localhost (-addr localhost:8080), turn development mode off "+
			"(-dev=false) or, if everyone who can reach it may see every code, add -dev-public", ln.Addr())
	}
	app, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	pruneCtx, stopPrune := context.WithCancel(ctx)
	var pruning sync.WaitGroup
	pruning.Go(func() { app.pruneEvery(pruneCtx, pruneInterval) })
	defer pruning.Wait()
	defer stopPrune()
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	app.PrintWelcome(out, baseURL(cfg.Addr, ln.Addr()))
	if cfg.Dev && public {
		fmt.Fprintf(out, "  WARNING: -dev-public: the outbox shows every code to anyone who can reach %s\n\n", ln.Addr())
	}
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

// loopback reports whether a listener's address can be reached from this
// machine only.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
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
