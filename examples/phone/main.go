// Command phone acts as the user's phone app for twostep's push sign-ins,
// through push/pushclient: it enrols from the URI the settings page shows
// (as text beside the QR code), lists the open sign-in request with its
// three numbers, and approves it with the number the login page shows, or
// denies it.
//
//	go run ./examples/phone enroll 'twostep-push://enroll?v=1&url=…'
//	go run ./examples/phone list
//	go run ./examples/phone approve 42
//	go run ./examples/phone deny            # "cancelled"
//	go run ./examples/phone deny --not-me   # "I did not try to sign in"
//	go run ./examples/phone wait            # wait for a request, then ask
//
// Its key and enrollments live in one file, mode 0600 (-state, by default
// twostep-phone.json in the user's configuration directory). A real app
// keeps its key in the Secure Enclave or the Android Keystore instead.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/twostep/twostep/push/pushclient"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage: phone [-state FILE] COMMAND
  enroll [-name NAME] URI   register this phone from an enrolment URI
  list                      show the open sign-in requests
  approve NUMBER            approve the open request with the number on the screen
  deny [--not-me]           deny the open request (--not-me: it was not you)
  wait [-timeout 2m]        wait for a request, show it and ask what to do
`

// run is the program: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("phone", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	statePath := fs.String("state", defaultState(), "the file with the phone's key and enrollments")
	if fs.Parse(args) != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	p := &phone{path: *statePath, out: stdout, in: bufio.NewReader(stdin)}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	var err error
	switch cmd {
	case "enroll":
		err = p.enroll(ctx, rest)
	case "list":
		err = p.list(ctx)
	case "approve":
		if len(rest) != 1 {
			fs.Usage()
			return 2
		}
		err = p.approve(ctx, rest[0])
	case "deny":
		err = p.deny(ctx, rest)
	case "wait":
		err = p.wait(ctx, rest)
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "phone:", err)
		return 1
	}
	return 0
}

func defaultState() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "twostep-phone.json"
	}
	return filepath.Join(dir, "twostep-phone.json")
}

// phone is the app: its state file, and the terminal it talks to.
type phone struct {
	path string
	out  io.Writer
	in   *bufio.Reader
}

// open is a sign-in request together with the enrollment it came for.
type open struct {
	acct *pushclient.Registered
	req  pushclient.Request
}

func (p *phone) enroll(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	name := fs.String("name", "twostep phone (CLI)", "the device name the user sees in their settings")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("enroll needs one enrolment URI")
	}
	inv, err := pushclient.ParseURI(fs.Arg(0))
	if err != nil {
		return err
	}
	if err := checkURL(inv.URL); err != nil {
		return err
	}
	st, err := loadState(p.path, true)
	if err != nil {
		return err
	}
	c, err := st.client()
	if err != nil {
		return err
	}
	reg, err := c.Register(ctx, inv, pushclient.AppInfo{Platform: "other", DeviceName: *name}, time.Now())
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	st.Accounts = slices.DeleteFunc(st.Accounts, func(a pushclient.Registered) bool { return a.URL == reg.URL && a.User == reg.User })
	st.Accounts = append(st.Accounts, *reg)
	if err := st.save(p.path); err != nil {
		return err
	}
	fmt.Fprintf(p.out, "Registered for %s (%s).\n", reg.Issuer, reg.Account)
	return nil
}

// pending polls every enrollment for its open requests.
func (p *phone) pending(ctx context.Context) (*state, *pushclient.Client, []open, error) {
	st, err := loadState(p.path, false)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := st.client()
	if err != nil {
		return nil, nil, nil, err
	}
	var all []open
	for i := range st.Accounts {
		a := &st.Accounts[i]
		reqs, err := c.Poll(ctx, a, time.Now())
		if err != nil {
			return nil, nil, nil, fmt.Errorf("poll %s (%s): %w", a.Issuer, a.Account, err)
		}
		for _, r := range reqs {
			all = append(all, open{acct: a, req: r})
		}
	}
	return st, c, all, nil
}

func (p *phone) list(ctx context.Context) error {
	_, _, all, err := p.pending(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintln(p.out, "No sign-in requests.")
	}
	for _, o := range all {
		p.show(o)
	}
	return nil
}

// show prints a request as the app's number-matching screen.
func (p *phone) show(o open) {
	fmt.Fprintf(p.out, "Sign in to %s as %s?\n", o.acct.Issuer, o.acct.Account)
	var where []string
	for _, s := range []string{o.req.Context.App, o.req.Context.Browser, o.req.Context.Location} {
		if s != "" {
			where = append(where, s)
		}
	}
	if len(where) > 0 {
		fmt.Fprintf(p.out, "  %s\n", strings.Join(where, " · "))
	}
	fmt.Fprintf(p.out, "  Pick the number on the screen: %s\n", strings.Join(o.req.Numbers, "  "))
	left := time.Until(time.Unix(o.req.ExpiresAt, 0)).Round(time.Second)
	fmt.Fprintf(p.out, "  Expires in %s.\n", max(left, 0))
}

// one returns the single open request.
func one(all []open) (open, error) {
	switch len(all) {
	case 0:
		return open{}, errors.New("no open sign-in request")
	case 1:
		return all[0], nil
	}
	return open{}, errors.New("more than one open sign-in request")
}

func (p *phone) approve(ctx context.Context, number string) error {
	_, c, all, err := p.pending(ctx)
	if err != nil {
		return err
	}
	o, err := one(all)
	if err != nil {
		return err
	}
	return p.answerApprove(ctx, c, o, number)
}

// answerApprove approves o with number, which must be one of its choices:
// the app never approves without a number the user picked.
func (p *phone) answerApprove(ctx context.Context, c *pushclient.Client, o open, number string) error {
	if !slices.Contains(o.req.Numbers, number) {
		return fmt.Errorf("%q is not one of the choices %s", number, strings.Join(o.req.Numbers, ", "))
	}
	res, err := c.Approve(ctx, o.acct, o.req, number, time.Now())
	if err != nil {
		return err
	}
	return p.result(res)
}

func (p *phone) deny(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("deny", flag.ContinueOnError)
	notMe := fs.Bool("not-me", false, "it was not you who tried to sign in")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, c, all, err := p.pending(ctx)
	if err != nil {
		return err
	}
	o, err := one(all)
	if err != nil {
		return err
	}
	return p.answerDeny(ctx, c, o, *notMe)
}

func (p *phone) answerDeny(ctx context.Context, c *pushclient.Client, o open, notMe bool) error {
	reason := "cancelled"
	if notMe {
		reason = "not_me"
	}
	res, err := c.Deny(ctx, o.acct, o.req, reason, time.Now())
	if err != nil {
		return err
	}
	return p.result(res)
}

// result prints the server's verdict.
func (p *phone) result(res *pushclient.Reply) error {
	switch {
	case res.Result == "approved":
		fmt.Fprintln(p.out, "Approved: you are signed in on the other screen.")
	case res.Reason == "wrong_number":
		fmt.Fprintln(p.out, "Denied: that was not the number on the screen.")
	case res.Reason == "not_me":
		fmt.Fprintln(p.out, "Denied. The service has been told that it was not you.")
	default:
		fmt.Fprintln(p.out, "Denied.")
	}
	return nil
}

// wait polls until a request arrives, shows it, and reads the answer: a
// number approves, "deny" cancels, "not me" reports it was not the user.
func (p *phone) wait(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait for a request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	for {
		_, c, all, err := p.pending(ctx)
		if err != nil {
			return err
		}
		if len(all) > 0 {
			o := all[0]
			p.show(o)
			fmt.Fprintln(p.out, `Type the number, "deny" or "not me":`)
			line, err := p.in.ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("no answer: %w", err)
			}
			switch answer := strings.TrimSpace(line); answer {
			case "deny":
				return p.answerDeny(ctx, c, o, false)
			case "not me":
				return p.answerDeny(ctx, c, o, true)
			default:
				return p.answerApprove(ctx, c, o, answer)
			}
		}
		select {
		case <-ctx.Done():
			return errors.New("no sign-in request came")
		case <-time.After(time.Second):
		}
	}
}
