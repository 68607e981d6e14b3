package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twostep/twostep/factor/factortest"
)

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// started runs the command as main does, with args and an empty
// environment, until it has printed its welcome text. It returns that
// text, the URL printed in it, and a function that stops the app (as
// Ctrl-C would) and returns its exit status.
func started(t *testing.T, args ...string) (welcome, base string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := new(factortest.LogBuffer), new(factortest.LogBuffer)
	done := make(chan int, 1)
	go func() { done <- start(ctx, args, noEnv, out, errs) }()
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Error("the app did not stop within 30 s")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	deadline := time.After(60 * time.Second)
	for !strings.Contains(out.String(), "  data: ") { // the welcome's last line
		select {
		case code := <-done:
			t.Fatalf("%v: the app ended (status %d) before it ran:\n%s%s", args, code, out, errs)
		case <-deadline:
			t.Fatalf("%v: no welcome text after 60 s:\n%s%s", args, out, errs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	base = regexpFind(t, out.String(), `is running at (http://\S+)\n`)
	// Serve runs once everything is printed: wait for it to answer.
	resp, err := http.Get(base + "/static/style.css")
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	resp.Body.Close()
	return out.String(), base, stop
}

// `go run ./examples/webapp` needs no set-up: with its defaults, but on a
// free port and in a temporary data directory, it prints where it runs and
// the demo accounts, and the printed admin logs in with the printed
// password.
func TestRunDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "twostep-data")
	welcome, base, stop := started(t, "-addr", "localhost:0", "-data", dir)
	if !regexp.MustCompile(`^http://localhost:[1-9][0-9]*$`).MatchString(base) {
		t.Errorf("URL %q: want http://localhost:PORT", base)
	}
	for _, want := range []string{"Twostep Demo is running at " + base + "\n", "development outbox: " + base + "/dev/outbox\n", "data: " + dir + "\n"} {
		if !strings.Contains(welcome, want) {
			t.Errorf("welcome text lacks %q:\n%s", want, welcome)
		}
	}
	admin := regexpFind(t, welcome, `\n  admin +(admin@example\.com +password \S+)\n`)
	regexpFind(t, welcome, `\n  (user) +user@example\.com +password Demo-\S+\n`)
	email, password, _ := strings.Cut(strings.Join(strings.Fields(admin), " "), " password ")

	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, _, body := c.get("/login"); code != http.StatusOK || !strings.Contains(body, `id="login-form"`) {
		t.Fatalf("GET /login: %d\n%s", code, body)
	}
	form := url.Values{"csrf": {c.csrf("/login")}, "email": {email}, "password": {password}}
	if code, loc, body := c.post("/login", form); code != http.StatusSeeOther || loc != "/setup/offer" {
		t.Fatalf("login as %s: %d %s\n%s", email, code, loc, body)
	}
	if code, loc, _ := c.post("/setup/skip", url.Values{"csrf": {c.csrf("/setup/offer")}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("skip the optional setup: %d %s", code, loc)
	}
	if code, _, body := c.get("/"); code != http.StatusOK || !strings.Contains(body, "Demo Admin") {
		t.Fatalf("GET / after the login: %d\n%s", code, body)
	}
	if code, _, _ := c.get("/admin"); code != http.StatusOK {
		t.Fatalf("GET /admin as the demo admin: %d", code)
	}
	for _, name := range []string{"server-keys.json", "demo-accounts.json", "twostep.db"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v", name, err, fi.Mode())
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit status %d after Ctrl-C, want 0", code)
	}
}

// A bad flag, date or SMTP_PORT stops the command with status 2 and says
// what is wrong; -help prints the flags and ends with status 0.
func TestStartReportsBadConfig(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // should the app start after all, it ends at once
	data := t.TempDir()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"-require-from", "july"}, nil, 2, `invalid value "july" for flag -require-from: want YYYY-MM-DD or now`},
		{[]string{"-nope"}, nil, 2, "flag provided but not defined: -nope"},
		{nil, map[string]string{"SMTP_PORT": "25x"}, 2, `webapp: SMTP_PORT="25x": want a port number`},
		{nil, map[string]string{"SMTP_PORT": "70000"}, 2, `webapp: SMTP_PORT="70000"`},
		{[]string{"-help"}, nil, 0, "-dev-public"},
	} {
		var out, errs bytes.Buffer
		args := append([]string{"-addr", "localhost:0", "-data", data}, tc.args...)
		code := start(ctx, args, func(k string) string { return tc.env[k] }, &out, &errs)
		if code != tc.code || !strings.Contains(errs.String(), tc.want) || out.Len() != 0 {
			t.Errorf("%v %v: status %d, stderr:\n%s\nwant status %d and %q", tc.args, tc.env, code, errs.String(), tc.code, tc.want)
		}
	}
}

// Development mode shows every code on the outbox page, so the app does
// not listen beyond this machine with it unless -dev-public says so.
func TestDevOnlyOnLoopback(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out, errs bytes.Buffer
	code := start(context.Background(), []string{"-addr", "0.0.0.0:0", "-data", dir}, noEnv, &out, &errs)
	if code != 1 || !strings.Contains(errs.String(), "-dev-public") || !strings.Contains(errs.String(), "not a loopback address") || out.Len() != 0 {
		t.Fatalf("-dev on 0.0.0.0: status %d\n%s%s", code, out.String(), errs.String())
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the refused start made the data directory: %v", err)
	}

	welcome, base, stop := started(t, "-addr", "0.0.0.0:0", "-data", dir, "-dev-public")
	if !strings.Contains(welcome, "WARNING: -dev-public") {
		t.Errorf("no warning with -dev-public:\n%s", welcome)
	}
	if resp, err := http.Get(base + "/dev/outbox"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("outbox with -dev-public: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	stop()

	welcome, _, stop = started(t, "-addr", "0.0.0.0:0", "-data", dir, "-dev=false")
	if strings.Contains(welcome, "outbox") || strings.Contains(welcome, "WARNING") {
		t.Errorf("production mode mentions the outbox:\n%s", welcome)
	}
	stop()

	for addr, want := range map[string]bool{"127.0.0.1:1": true, "[::1]:1": true, "0.0.0.0:1": false, "[::]:1": false, "192.0.2.1:1": false} {
		a, _ := net.ResolveTCPAddr("tcp", addr)
		if got := loopback(a); got != want {
			t.Errorf("loopback(%s) = %v", addr, got)
		}
	}
}
