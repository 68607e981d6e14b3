package main_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/push"
)

// bin is the phone program, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "twostep-phone-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "phone")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// events records audit events.
type events struct {
	mu   sync.Mutex
	list []factor.EventType
}

func (r *events) Event(_ context.Context, e factor.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, e.Type)
}

func (r *events) has(t factor.EventType) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.list {
		if e == t {
			return true
		}
	}
	return false
}

// site is the server side: a Manager with the push factor, its handler on
// httptest, as a host wires them.
type site struct {
	m      *factor.Manager
	p      *push.Factor
	events *events
	alerts *events
}

func newSite(t *testing.T) *site {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s := &site{events: &events{}, alerts: &events{}}
	var err error
	s.p, err = push.New(push.Config{URL: srv.URL + "/twostep/push", Issuer: "Example", Alerts: s.alerts})
	require.NoError(t, err)
	s.m, err = factor.NewManager(factor.Config{
		Store: memstore.New(), Factors: []factor.Factor{s.p}, Sender: factor.Router{push.Kind: s.p}, Events: s.events,
		Keys: []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
	})
	require.NoError(t, err)
	require.NoError(t, s.p.Bind(s.m))
	mux.Handle("/twostep/push/", s.p)
	return s
}

// user is someone with a phone: the phone program's state file.
type user struct {
	id, enrollment, state string
}

// phone runs the program with the user's state file; it returns stdout,
// stderr and the exit status.
func phone(t *testing.T, u *user, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-state", u.state}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errOut.String(), ee.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errOut.String(), 0
}

// enrol sets up the phone app for id: the settings page's URI, given to
// "phone enroll" as text.
func (s *site) enrol(t *testing.T, id string) *user {
	t.Helper()
	setup, err := s.p.Enroll(context.Background(), push.SetupRequest{UserID: id, Account: id + "@example.com"}, time.Now())
	require.NoError(t, err)
	u := &user{id: id, enrollment: setup.Enrolled.ID, state: filepath.Join(t.TempDir(), "phone.json")}
	out, errOut, code := phone(t, u, "", "enroll", "-name", "CLI of "+id, setup.URI)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Registered for Example ("+id+"@example.com).\n", out)
	info, err := os.Stat(u.state)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the key file is private")
	return u
}

// login starts a push sign-in, as the login page does.
func (s *site) login(t *testing.T, u *user) *factor.Sent {
	t.Helper()
	sent, err := s.p.Challenge(context.Background(), push.LoginRequest{UserID: u.id, EnrollmentID: u.enrollment,
		Context: push.Context{App: "Portal", Browser: "Firefox on Linux", Location: "Utrecht, NL"}}, time.Now())
	require.NoError(t, err)
	return sent
}

func (s *site) status(t *testing.T, u *user, sent *factor.Sent) push.Approval {
	t.Helper()
	a, err := s.p.Status(context.Background(), u.id, sent.ChallengeID, time.Now())
	require.NoError(t, err)
	return a
}

var choicesLine = regexp.MustCompile(`Pick the number on the screen: (\d+)  (\d+)  (\d+)\n`)

// choices reads the three numbers from the number-matching screen.
func choices(t *testing.T, out string) []string {
	t.Helper()
	m := choicesLine.FindStringSubmatch(out)
	require.NotNil(t, m, "no number choices in %q", out)
	return m[1:]
}

// TestApprove: enrolled from the URI, the phone shows the request with the
// login page's number among three, approves it with that number, and the
// login completes with one Verify.
func TestApprove(t *testing.T) {
	s := newSite(t)
	u := s.enrol(t, "alice")
	all, err := s.m.Extension().Store().ListEnrollments(context.Background(), "alice")
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.True(t, all[0].Confirmed, "registered through the CLI, the enrollment is confirmed")
	assert.Equal(t, "CLI of alice", all[0].Label)

	sent := s.login(t, u)
	out, errOut, code := phone(t, u, "", "list")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Sign in to Example as alice@example.com?\n  Portal · Firefox on Linux · Utrecht, NL\n")
	assert.Contains(t, choices(t, out), sent.ScreenDigits)

	out, errOut, code = phone(t, u, "", "approve", sent.ScreenDigits)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Approved: you are signed in on the other screen.\n", out)
	assert.Equal(t, push.StateApproved, s.status(t, u, sent).State)

	ctx := context.Background()
	r, err := s.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, time.Now())
	require.NoError(t, err)
	assert.Equal(t, push.Kind, r.Kind)
	_, err = s.m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, time.Now())
	require.Error(t, err, "a push approval completes one login")

	out, _, code = phone(t, u, "", "list")
	require.Equal(t, 0, code)
	assert.Equal(t, "No sign-in requests.\n", out)
}

// TestWrongNumber: a number that is not among the choices is refused by
// the phone itself; another choice is sent and denies the sign-in.
func TestWrongNumber(t *testing.T) {
	s := newSite(t)
	u := s.enrol(t, "bob")
	sent := s.login(t, u)
	out, _, code := phone(t, u, "", "list")
	require.Equal(t, 0, code)
	nums := choices(t, out)

	_, errOut, code := phone(t, u, "", "approve", "100")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not one of the choices")
	assert.Equal(t, push.StatePending, s.status(t, u, sent).State, "nothing was sent")

	wrong := nums[0]
	if wrong == sent.ScreenDigits {
		wrong = nums[1]
	}
	out, errOut, code = phone(t, u, "", "approve", wrong)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Denied: that was not the number on the screen.\n", out)
	assert.Equal(t, push.Approval{State: push.StateDenied, Reason: "wrong_number"}, s.status(t, u, sent))
	_, err := s.m.Verify(context.Background(), factor.Answer{UserID: "bob", ChallengeID: sent.ChallengeID}, time.Now())
	require.Error(t, err)
}

// TestNotMe: "deny --not-me" denies the sign-in, reports it, and pauses
// further pushes to the user.
func TestNotMe(t *testing.T) {
	s := newSite(t)
	u := s.enrol(t, "carol")
	sent := s.login(t, u)
	out, errOut, code := phone(t, u, "", "deny", "--not-me")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Denied. The service has been told that it was not you.\n", out)
	assert.Equal(t, push.Approval{State: push.StateDenied, Reason: "not_me"}, s.status(t, u, sent))
	assert.True(t, s.events.has(push.EventNotMe))
	assert.True(t, s.alerts.has(push.EventNotMe))
	_, err := s.p.Challenge(context.Background(), push.LoginRequest{UserID: u.id, EnrollmentID: u.enrollment}, time.Now())
	var be *push.BlockedError
	require.ErrorAs(t, err, &be)
}

// TestDeny: a plain deny cancels the sign-in.
func TestDeny(t *testing.T) {
	s := newSite(t)
	u := s.enrol(t, "erin")
	sent := s.login(t, u)
	out, errOut, code := phone(t, u, "", "deny")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Denied.\n", out)
	assert.Equal(t, push.Approval{State: push.StateDenied, Reason: "cancelled"}, s.status(t, u, sent))
	assert.False(t, s.events.has(push.EventNotMe))
}

// TestWait: "phone wait" polls until the login starts, shows the number
// choices and approves with the number the user types.
func TestWait(t *testing.T) {
	s := newSite(t)
	u := s.enrol(t, "dave")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-state", u.state, "wait", "-timeout", "20s")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	require.NoError(t, cmd.Start())

	sent := s.login(t, u)
	var screen strings.Builder
	rd := bufio.NewReader(stdout)
	for !strings.Contains(screen.String(), `Type the number, "deny" or "not me":`) {
		line, err := rd.ReadString('\n')
		screen.WriteString(line)
		require.NoError(t, err, "screen so far: %q", screen.String())
	}
	assert.Contains(t, choices(t, screen.String()), sent.ScreenDigits)
	_, err = io.WriteString(stdin, sent.ScreenDigits+"\n")
	require.NoError(t, err)
	rest, err := io.ReadAll(rd)
	require.NoError(t, err)
	require.NoError(t, cmd.Wait(), errOut.String())
	assert.Equal(t, "Approved: you are signed in on the other screen.\n", string(rest))
	assert.Equal(t, push.StateApproved, s.status(t, u, sent).State)
}

// TestRefusals: what the phone refuses, and what the server refuses it.
func TestRefusals(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()

	fresh := &user{state: filepath.Join(t.TempDir(), "none.json")}
	_, errOut, code := phone(t, fresh, "", "list")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not enrolled yet")

	setup, err := s.p.Enroll(ctx, push.SetupRequest{UserID: "frank", Account: "frank@example.com"}, time.Now())
	require.NoError(t, err)
	plain := strings.Replace(setup.URI, "url=http%3A%2F%2F127.0.0.1", "url=http%3A%2F%2Fexample.com", 1)
	require.NotEqual(t, setup.URI, plain)
	_, errOut, code = phone(t, fresh, "", "enroll", plain)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "must use https")

	first := &user{state: filepath.Join(t.TempDir(), "a.json")}
	_, errOut, code = phone(t, first, "", "enroll", setup.URI)
	require.Equal(t, 0, code, errOut)
	second := &user{state: filepath.Join(t.TempDir(), "b.json")}
	_, errOut, code = phone(t, second, "", "enroll", setup.URI)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "403 refused", "the enrolment secret works once")

	require.NoError(t, os.Chmod(first.state, 0o644))
	_, errOut, code = phone(t, first, "", "list")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "chmod 600")

	_, _, code = phone(t, first, "")
	assert.Equal(t, 2, code, "no command is a usage error")
}
