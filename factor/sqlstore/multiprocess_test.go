package sqlstore_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/totp"
)

// The tests in this file prove the invariants that must hold across
// processes sharing one database (DESIGN.md §4.1, §4.2): the test binary
// runs itself again as helper processes (the pattern of os/exec's tests),
// each of which opens the same SQLite file or PostgreSQL schema with its
// own *sql.DB, builds its own Manager under the same key and attacks the
// same codes from many goroutines. The helpers report on stdout; the test
// adds the reports up.

// helperEnv carries a helper process's job, as JSON. Without it,
// TestHelperProcess does nothing.
const helperEnv = "TWOSTEP_SQLSTORE_HELPER"

// Lines a helper writes on stdout: readyLine once it is set up, then, after
// the parent wrote a line on its stdin, reportPrefix and its report.
const (
	readyLine    = "TWOSTEP-HELPER-READY"
	reportPrefix = "TWOSTEP-HELPER-REPORT "
)

// failureLimit is factor.Lockout.Limit's default, which the helpers use.
const failureLimit = 10

// helperJob is what a helper process does.
type helperJob struct {
	// Role is "migrate", which runs Migrate, or "race" (the codes are
	// right) or "storm" (the codes are wrong), which attack Tasks alike.
	Role    string
	Dialect sqlstore.Dialect
	Driver  string
	DSN     string
	// Key is the Manager's only key, the same in every process.
	Key factor.ServerKey
	// Now is the time of every attempt.
	Now time.Time
	// Goroutines is how many goroutines attack each task at once, each
	// Tries times.
	Goroutines int
	Tries      int
	// Tasks are the codes to attack, by task name ("totp", "recovery",
	// "activation"). A goroutine i uses Codes[(i*Tries+try) % len].
	Tasks map[string]helperTask
}

// helperTask is one code to attack.
type helperTask struct {
	User       string
	Enrollment string
	Codes      []string
}

// helperReport is what a helper process saw.
type helperReport struct {
	// Outcomes are per task.
	Outcomes map[string]*outcome
	// Compares counts the calls of the TOTP factor's Verify: the codes
	// actually compared.
	Compares int64
	// Migrate is Migrate's error, for the "migrate" role.
	Migrate string
}

// outcome counts the results of the attempts at one task.
type outcome struct {
	Success, Invalid, Locked int
	// Other are unexpected errors.
	Other []string
}

func (o *outcome) add(err error) {
	switch {
	case err == nil:
		o.Success++
	case errors.Is(err, factor.ErrLocked):
		o.Locked++
	case errors.Is(err, factor.ErrInvalidCode):
		o.Invalid++
	default:
		o.Other = append(o.Other, err.Error())
	}
}

// countingVerifier is the authenticator-app factor with a count of the
// codes it compares.
type countingVerifier struct {
	*totp.Factor
	compares atomic.Int64
}

// Verify counts the call and compares the code.
func (v *countingVerifier) Verify(ctx context.Context, e *factor.Enrollment, code string, now time.Time) error {
	v.compares.Add(1)
	return v.Factor.Verify(ctx, e, code, now)
}

// TestHelperProcess is the helper process of the tests below; run on its
// own it does nothing.
func TestHelperProcess(t *testing.T) {
	raw, ok := os.LookupEnv(helperEnv)
	if !ok {
		return
	}
	var job helperJob
	require.NoError(t, json.Unmarshal([]byte(raw), &job))
	report := runHelperJob(t, job, bufio.NewReader(os.Stdin))
	b, err := json.Marshal(report)
	require.NoError(t, err)
	fmt.Printf("%s%s\n", reportPrefix, b)
	os.Exit(0)
}

// runHelperJob sets up job, says it is ready, waits for a line on signal
// and then does the job.
func runHelperJob(t *testing.T, job helperJob, signal *bufio.Reader) helperReport {
	d := dbTarget{dialect: job.Dialect, driver: job.Driver, dsn: job.DSN}
	db := d.db(t)
	s, err := sqlstore.New(db, d.dialect)
	require.NoError(t, err)
	ready := func() {
		warmUp(t, db, maxConns)
		fmt.Println(readyLine)
		_, err := signal.ReadString('\n')
		require.NoError(t, err, "waiting for the start signal")
	}
	if job.Role == "migrate" {
		ready()
		var r helperReport
		if err := s.Migrate(ctx); err != nil {
			r.Migrate = err.Error()
		}
		return r
	}

	app := &countingVerifier{Factor: newApp(t)}
	m := newTOTPManager(t, s, []factor.ServerKey{job.Key}, app)
	codes, err := recovery.New(m, recovery.Config{})
	require.NoError(t, err)
	attempt := func(name string, task helperTask, code string) error {
		switch name {
		case "totp":
			return factortest.Err(m.Verify(ctx, factor.Answer{UserID: task.User, EnrollmentID: task.Enrollment, Code: code}, job.Now))
		case "recovery":
			_, err := codes.Redeem(ctx, task.User, code, job.Now)
			return err
		case "activation":
			return m.Activate(ctx, task.User, code, job.Now)
		case "budget":
			// code names the budget window; the window has one unit left.
			full, err := s.ChargeCounters(ctx, []factor.CounterWindow{
				{Key: "user:" + task.User, Limit: 100, Expires: job.Now.Add(time.Hour)},
				{Key: code, Limit: budgetLimit, Expires: job.Now.Add(time.Hour)},
			}, job.Now)
			if err == nil && len(full) > 0 {
				return factor.ErrInvalidCode // refused: counted as a loser
			}
			return err
		}
		return fmt.Errorf("unknown task %q", name)
	}

	report := helperReport{Outcomes: map[string]*outcome{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for name, task := range job.Tasks {
		o := &outcome{}
		report.Outcomes[name] = o
		for i := range job.Goroutines {
			wg.Go(func() {
				<-start
				for try := range job.Tries {
					err := attempt(name, task, task.Codes[(i*job.Tries+try)%len(task.Codes)])
					mu.Lock()
					o.add(err)
					mu.Unlock()
				}
			})
		}
	}
	ready()
	close(start)
	wg.Wait()
	report.Compares = app.compares.Load()
	return report
}

// warmUp opens n connections of db and leaves them idle in the pool, so
// that the processes start racing at once rather than one after the other
// as each connects.
func warmUp(t *testing.T, db *sql.DB, n int) {
	conns := make([]*sql.Conn, n)
	for i := range conns {
		c, err := db.Conn(ctx)
		require.NoError(t, err)
		require.NoError(t, c.PingContext(ctx))
		conns[i] = c
	}
	for _, c := range conns {
		c.Close()
	}
}

// helper is a running helper process.
type helper struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr bytes.Buffer
	seen   []string // stdout lines that were not expected, for diagnosis
	done   bool
}

// next returns the next stdout line that starts with prefix.
func (h *helper) next(prefix string) (string, bool) {
	for h.lines.Scan() {
		if line := h.lines.Text(); strings.HasPrefix(line, prefix) {
			return strings.TrimPrefix(line, prefix), true
		}
		h.seen = append(h.seen, h.lines.Text())
	}
	return "", false
}

// runHelpers runs job in n helper processes at once: it starts them, waits
// until all are set up, lets them go together and returns their reports.
func runHelpers(t *testing.T, job helperJob, n int) []helperReport {
	t.Helper()
	raw, err := json.Marshal(job)
	require.NoError(t, err)
	runCtx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	helpers := make([]*helper, n)
	t.Cleanup(func() {
		cancel()
		for _, h := range helpers {
			if h != nil && !h.done {
				_ = h.cmd.Wait()
			}
		}
	})
	fail := func(h *helper, format string, args ...any) {
		t.Helper()
		cancel()
		if !h.done {
			_ = h.cmd.Wait()
			h.done = true
		}
		t.Fatalf("helper process: "+format+"\nstdout:\n%s\nstderr:\n%s",
			append(args, strings.Join(h.seen, "\n"), h.stderr.String())...)
	}

	for i := range helpers {
		cmd := exec.CommandContext(runCtx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+string(raw))
		h := &helper{cmd: cmd}
		cmd.Stderr = &h.stderr
		h.stdin, err = cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		h.lines = bufio.NewScanner(stdout)
		h.lines.Buffer(nil, 1<<20)
		require.NoError(t, cmd.Start())
		helpers[i] = h
	}
	for _, h := range helpers {
		if _, ok := h.next(readyLine); !ok {
			fail(h, "exited before it was ready")
		}
	}
	for _, h := range helpers {
		_, err := io.WriteString(h.stdin, "go\n")
		require.NoError(t, err)
	}
	reports := make([]helperReport, n)
	for i, h := range helpers {
		line, ok := h.next(reportPrefix)
		if !ok {
			fail(h, "exited without a report")
		}
		if err := json.Unmarshal([]byte(line), &reports[i]); err != nil {
			fail(h, "bad report: %v", err)
		}
		h.stdin.Close()
		err := h.cmd.Wait()
		h.done = true
		if err != nil {
			fail(h, "%v", err)
		}
	}
	return reports
}

// total adds up the outcomes of one task over all reports.
func total(reports []helperReport, task string) outcome {
	var sum outcome
	for _, r := range reports {
		o := r.Outcomes[task]
		if o == nil {
			continue
		}
		sum.Success += o.Success
		sum.Invalid += o.Invalid
		sum.Locked += o.Locked
		sum.Other = append(sum.Other, o.Other...)
	}
	return sum
}

// budgetLimit is the send budget the "budget" task races for.
const budgetLimit = 20

// TestMultiProcessBudget races 100 goroutines in two processes for the
// last unit of a send budget: exactly one is charged, the others are
// refused and charge nothing, on SQLite and PostgreSQL.
func TestMultiProcessBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("a cross-process test (it starts helper processes); run without -short")
	}
	const procs, goroutines = 2, 50
	for _, target := range sharedTargets() {
		t.Run(target.name, func(t *testing.T) {
			d := target.make(t)
			s := d.open(t)
			window := randomName("budget")
			for range budgetLimit - 1 {
				full, err := s.ChargeCounters(ctx, []factor.CounterWindow{{Key: window, Limit: budgetLimit, Expires: at(1).Add(time.Hour)}}, at(1))
				require.NoError(t, err)
				require.Empty(t, full)
			}
			reports := runHelpers(t, helperJob{
				Role: "race", Dialect: d.dialect, Driver: d.driver, DSN: d.dsn, Key: newKey(t, "budget"),
				Now: at(1), Goroutines: goroutines, Tries: 1,
				Tasks: map[string]helperTask{"budget": {User: randomName("racer"), Codes: []string{window}}},
			}, procs)
			sum := total(reports, "budget")
			assert.Empty(t, sum.Other, "unexpected errors")
			assert.Equal(t, 1, sum.Success, "the last unit goes once")
			assert.Equal(t, procs*goroutines-1, sum.Invalid, "every other charge refused")
			full, err := s.ChargeCounters(ctx, []factor.CounterWindow{{Key: window, Limit: budgetLimit + 1, Expires: at(1).Add(time.Hour)}}, at(1))
			require.NoError(t, err)
			assert.Empty(t, full, "the window counts exactly its limit: one more unit fits under a limit one higher")
			full, err = s.ChargeCounters(ctx, []factor.CounterWindow{{Key: window, Limit: budgetLimit + 1, Expires: at(1).Add(time.Hour)}}, at(1))
			require.NoError(t, err)
			assert.Equal(t, []int{0}, full)
		})
	}
}

// TestMultiProcessSingleUse races two processes, each with 20 goroutines,
// for the same TOTP code, the same recovery code and the same activation
// code: each is accepted exactly once in total.
func TestMultiProcessSingleUse(t *testing.T) {
	if testing.Short() {
		t.Skip("a cross-process test (it starts helper processes); run without -short")
	}
	const procs, goroutines = 2, 20
	for _, target := range sharedTargets() {
		t.Run(target.name, func(t *testing.T) {
			d := target.make(t)
			s := d.open(t)
			key := newKey(t, "multi-process")
			m := newTOTPManager(t, s, []factor.ServerKey{key})

			e := enrolTOTP(t, m, "totp-user", at(0))
			codes, err := recovery.New(m, recovery.Config{})
			require.NoError(t, err)
			set, err := codes.Generate(ctx, "recovery-user", at(0))
			require.NoError(t, err)
			activation, err := m.IssueActivationCode(ctx, "activation-user", "admin", at(0))
			require.NoError(t, err)

			reports := runHelpers(t, helperJob{
				Role: "race", Dialect: d.dialect, Driver: d.driver, DSN: d.dsn, Key: key,
				Now: at(1), Goroutines: goroutines, Tries: 1,
				Tasks: map[string]helperTask{
					"totp":       {User: "totp-user", Enrollment: e.ID, Codes: []string{totpCode(e.Secret, at(1))}},
					"recovery":   {User: "recovery-user", Codes: []string{set[3]}},
					"activation": {User: "activation-user", Codes: []string{activation}},
				},
			}, procs)

			for _, task := range []string{"totp", "recovery", "activation"} {
				for i, r := range reports {
					t.Logf("%s: process %d: %+v", task, i, *r.Outcomes[task])
				}
				sum := total(reports, task)
				assert.Empty(t, sum.Other, "%s: unexpected errors", task)
				assert.Equal(t, 1, sum.Success, "%s: accepted exactly once over %d processes", task, procs)
				assert.Equal(t, procs*goroutines, sum.Success+sum.Invalid+sum.Locked, "%s: every attempt answered", task)
			}
			got, err := s.GetEnrollment(ctx, "totp-user", e.ID)
			require.NoError(t, err)
			assert.Equal(t, at(1).Unix()/30, got.Counter, "the step is used up")
			left, err := codes.Remaining(ctx, "recovery-user")
			require.NoError(t, err)
			assert.Equal(t, len(set)-1, left)
			a, err := s.GetActivationCode(ctx, "activation-user")
			require.NoError(t, err)
			assert.False(t, a.UsedAt.IsZero(), "the activation code is used up")
		})
	}
}

// TestMultiProcessFailureLimit storms one user with wrong codes from two
// processes of 20 goroutines each: in total no more codes are compared
// than the failure limit allows, and then the user is locked.
func TestMultiProcessFailureLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("a cross-process test (it starts helper processes); run without -short")
	}
	const procs, goroutines, tries = 2, 20, 3
	for _, target := range sharedTargets() {
		t.Run(target.name, func(t *testing.T) {
			d := target.make(t)
			s := d.open(t)
			key := newKey(t, "multi-process")
			m := newTOTPManager(t, s, []factor.ServerKey{key})
			e := enrolTOTP(t, m, "storm-user", at(0))
			var wrong []string
			for i := range goroutines * tries {
				wrong = append(wrong, wrongCode(e.Secret, at(1), i))
			}

			reports := runHelpers(t, helperJob{
				Role: "storm", Dialect: d.dialect, Driver: d.driver, DSN: d.dsn, Key: key,
				Now: at(1), Goroutines: goroutines, Tries: tries,
				Tasks: map[string]helperTask{"totp": {User: "storm-user", Enrollment: e.ID, Codes: wrong}},
			}, procs)

			var compares int64
			for i, r := range reports {
				t.Logf("process %d compared %d codes", i, r.Compares)
				compares += r.Compares
			}
			assert.LessOrEqual(t, compares, int64(failureLimit), "codes compared over all processes")
			assert.Equal(t, int64(failureLimit), compares, "every allowed attempt was compared")
			sum := total(reports, "totp")
			assert.Empty(t, sum.Other, "unexpected errors")
			assert.Zero(t, sum.Success)
			assert.Equal(t, procs*goroutines*tries, sum.Invalid+sum.Locked)

			var locks int
			require.NoError(t, d.db(t).QueryRow(`SELECT locks FROM twostep_attempts WHERE user_id = $1`, "storm-user").Scan(&locks))
			assert.Equal(t, 1, locks, "locked once")
			err := verifyTOTP(m, e, totpCode(e.Secret, at(1)), at(1))
			assert.ErrorIs(t, err, factor.ErrLocked, "while locked even the right code fails")
		})
	}
}

// TestMultiProcessMigrate runs Migrate from three processes at once on an
// empty database: all succeed and the schema is applied once.
func TestMultiProcessMigrate(t *testing.T) {
	if testing.Short() {
		t.Skip("a cross-process test (it starts helper processes); run without -short")
	}
	targets := []struct {
		name string
		make func(t *testing.T) dbTarget
	}{
		{"SQLite", func(t *testing.T) dbTarget { return dbTarget{sqlstore.SQLite, "sqlite", sqliteDSN(t)} }},
		{"Postgres", func(t *testing.T) dbTarget { return dbTarget{sqlstore.Postgres, "pgx", newPostgresDatabase(t)} }},
	}
	for _, target := range targets {
		t.Run(target.name, func(t *testing.T) {
			d := target.make(t)
			reports := runHelpers(t, helperJob{Role: "migrate", Dialect: d.dialect, Driver: d.driver, DSN: d.dsn}, 3)
			for i, r := range reports {
				assert.Empty(t, r.Migrate, "process %d", i)
			}
			db := d.db(t)
			assert.Equal(t, latestVersions[d.dialect], schemaVersions(t, db))
			s, err := sqlstore.New(db, d.dialect)
			require.NoError(t, err)
			assert.NoError(t, s.CreateEnrollment(ctx, &factor.Enrollment{ID: "e", UserID: "u", Kind: factor.KindTOTP}))
		})
	}
}
