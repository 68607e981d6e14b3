package factor_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

// faultCase is one operation that touches the Store, for TestStoreFaults.
type faultCase struct {
	// name starts with the operation's method name: "Verify/TOTP".
	name string
	// policy replaces the world's default policy when set.
	policy *factor.Policy
	// prepare readies the world for run, with no faults armed.
	prepare func(w *world)
	// run is the operation with the right input; it must succeed on a
	// healthy store.
	run func(w *world) error
	// wrong, if set, is the operation with a wrong code; it must never
	// succeed.
	wrong func(w *world) error
	// once marks a run that spends something one-time: of the faulted run
	// and two retries at most one may succeed.
	once bool
	// backing is the store the case runs on.
	backing backing
	// bestEffort names the one store method whose failure run may
	// survive: resetting the failure count after a success that is
	// already stored.
	bestEffort string
}

// TestStoreFaults runs every operation that touches the Store, and for
// each of its Store calls runs it again with that call failing: once
// before the call reaches the store and once after the store committed it
// (a lost reply). Whatever fails, the operation reports the failure with an
// error wrapping the store's, never accepts a wrong code, and never lets a
// one-time code, step, approval or recovery code be used twice, nor a code
// be used whose delivery failed.
//
// Every case runs on memstore with and without factor.VerifiedStore. (The
// cases that spend something one-time ran on sqlstore over SQLite too
// until sqlstore became a module of its own, which the root module's tests
// may not import.)
func TestStoreFaults(t *testing.T) {
	for _, b := range []backing{mem, plainMem} {
		var ops, points int
		for _, tc := range faultCases() {
			tc.backing = b
			t.Run(b.String()+"/"+tc.name, func(t *testing.T) {
				right := tc.inject(t, tc.run, false)
				wrong := 0
				if tc.wrong != nil {
					wrong = tc.inject(t, tc.wrong, true)
				}
				t.Logf("store calls: %d with the right input, %d with a wrong code", right, wrong)
				ops, points = ops+1, points+2*(right+wrong)
			})
		}
		t.Logf("%s: %d operations, %d injection points (each call failed before and after commit)", b, ops, points)
	}
}

// world returns a fresh world prepared for tc.
func (tc faultCase) world(t *testing.T) *world {
	t.Helper()
	p := basePolicy
	if tc.policy != nil {
		p = *tc.policy
	}
	w := newWorld(t, p, tc.backing)
	if tc.prepare != nil {
		tc.prepare(w)
	}
	return w
}

// inject counts op's store calls on a healthy store, then fails each of
// them in turn in both modes. It returns how many calls op makes.
func (tc faultCase) inject(t *testing.T, op func(*world) error, wrong bool) int {
	t.Helper()
	calls := tc.clean(t, op, wrong)
	for k, method := range calls {
		for _, commit := range []bool{false, true} {
			where := fmt.Sprintf("wrong=%v, store call %d (%s) fails, commit=%v", wrong, k+1, method, commit)
			tc.injectAt(t, op, wrong, k+1, commit, where)
		}
	}
	return len(calls)
}

// clean runs op on a healthy store and returns the store calls it made.
func (tc faultCase) clean(t *testing.T, op func(*world) error, wrong bool) []string {
	t.Helper()
	w := tc.world(t)
	w.fs.Arm(0, false)
	err := w.leak.err(op(w))
	calls := w.fs.Calls()
	if wrong {
		require.Error(t, err, "a wrong code was accepted")
	} else {
		require.NoError(t, err, "on a healthy store")
	}
	if tc.once && !wrong {
		require.Error(t, w.leak.err(op(w)), "used twice on a healthy store")
	}
	require.NotEmpty(t, calls, "the operation touches the store")
	return calls
}

func (tc faultCase) injectAt(t *testing.T, op func(*world) error, wrong bool, k int, commit bool, where string) {
	t.Helper()
	w := tc.world(t)
	sent, events, factors := w.sender.Count(), w.eventCount(), w.factors()
	atFail := factors
	w.fs.BeforeFail = func(string) { atFail = w.factors() }
	w.fs.Arm(k, commit)
	err := w.leak.err(op(w))
	method, injected := w.fs.Injected()
	w.fs.Arm(0, false)
	require.True(t, injected, where)
	if err != nil || wrong || method != tc.bestEffort {
		require.Error(t, err, "%s: success reported although the store failed", where)
		assert.ErrorIs(t, err, factortest.ErrInjected, where)
	}
	// A change the Manager made before the failure must be audited; one
	// whose reply was lost it cannot know about.
	if w.factors() != factors && !(commit && atFail == factors) {
		assert.True(t, w.audited(events), "%s: the user's factors changed without an audit event", where)
	}
	if wrong {
		return
	}
	if tc.once {
		wins := 0
		if err == nil {
			wins++
		}
		for range 2 {
			if w.leak.err(op(w)) == nil {
				wins++
			}
		}
		assert.LessOrEqual(t, wins, 1, "%s: a one-time thing was accepted twice", where)
	}
	w.checkUnusable(sent, where)
}

// checkUnusable tries every code sent since the sender held sent messages:
// after a failed operation none may be accepted.
func (w *world) checkUnusable(sent int, where string) {
	w.t.Helper()
	for _, msg := range w.sender.Messages()[sent:] {
		err := w.leak.err(factortest.Err(w.m.Verify(w.ctx, attempt("", msg.ChallengeID, msg.Code), w.now)))
		assert.True(w.t, errors.Is(err, factor.ErrInvalidCode) || errors.Is(err, factor.ErrMalformed), "%s: code of a failed operation: %v", where, err)
	}
}

// reset is the store call that forgets a user's failures after a success.
const reset = "ResetAttempts"

// basePolicy asks for activation codes, so that Enroll and Activate touch
// the user state, and leaves two-step verification optional, so that
// Disable is allowed.
var basePolicy = factor.Policy{RequireActivation: true}

// requiredPolicy makes two-step verification mandatory with grace days,
// so that Status records the first prompt and Skip is allowed.
var requiredPolicy = factor.Policy{RequiredFrom: t0.Add(-time.Hour), GraceDays: 3}

func faultCases() []faultCase {
	var cases []faultCase
	for _, group := range [][]faultCase{enrollCases(), codeCases(), challengeCases(), methodCases(), adminCases(), builtOnCases()} {
		cases = append(cases, group...)
	}
	return cases
}

func attempt(enrollmentID, challengeID, code string) factor.Answer {
	return factor.Answer{UserID: "alice", EnrollmentID: enrollmentID, ChallengeID: challengeID, Code: code}
}

func enrollCases() []faultCase {
	return []faultCase{
		{name: "Enroll/TOTP", prepare: func(w *world) { w.grantFor(w.now) }, run: func(w *world) error {
			_, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, StepUp: w.grant}, w.now)
			return err
		}},
		{name: "Enroll/replacing", prepare: (*world).stepUp, run: func(w *world) error {
			_, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "+31611112222", Replaces: w.smsID}, w.now)
			return err
		}},
		{name: "Enrollments", run: func(w *world) error {
			_, err := w.m.Enrollments(w.ctx, "alice", w.now)
			return err
		}},
	}
}

// codeCases are the operations that check a code of an authenticator app
// or a delivered code.
func codeCases() []faultCase {
	totpRun := func(w *world) error { return factortest.Err(w.m.Verify(w.ctx, attempt(w.id, "", w.code), w.now)) }
	totpWrong := func(w *world) error {
		return factortest.Err(w.m.Verify(w.ctx, attempt(w.id, "", wrongDigits(w.code)), w.now))
	}
	confirmRun := func(w *world) error {
		return factortest.Err(w.m.Confirm(w.ctx, attempt(w.id, w.challenge, w.code), w.now))
	}
	confirmWrong := func(w *world) error {
		return factortest.Err(w.m.Confirm(w.ctx, attempt(w.id, w.challenge, wrongDigits(w.code)), w.now))
	}
	verifyRun := func(w *world) error {
		return factortest.Err(w.m.Verify(w.ctx, attempt("", w.challenge, w.code), w.now))
	}
	verifyWrong := func(w *world) error {
		return factortest.Err(w.m.Verify(w.ctx, attempt("", w.challenge, wrongDigits(w.code)), w.now))
	}
	pendingTOTP := func(w *world, replaces string) {
		e, err := w.m.Enroll(w.ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Secret: otherSecret, Replaces: replaces, StepUp: w.grantFor(w.now)}, w.now)
		require.NoError(w.t, err)
		w.id, w.code = e.ID, codeFor(otherSecret, w.now)
	}
	return []faultCase{
		{name: "Verify/TOTP", once: true, bestEffort: reset, run: totpRun, wrong: totpWrong,
			prepare: func(w *world) { w.id, w.code = w.totpID, codeFor(aliceSecret, w.now) }},
		{name: "Verify/TOTP at the lockout limit", once: true, bestEffort: reset, run: totpRun, wrong: totpWrong,
			prepare: func(w *world) { w.fail(9); w.id, w.code = w.totpID, codeFor(aliceSecret, w.now) }},
		{name: "Confirm/TOTP", once: true, bestEffort: reset, run: confirmRun, wrong: confirmWrong,
			prepare: func(w *world) { pendingTOTP(w, "") }},
		{name: "Confirm/TOTP replacing", once: true, bestEffort: reset, run: confirmRun, wrong: confirmWrong,
			prepare: func(w *world) { w.stepUp(); pendingTOTP(w, w.totpID) }},
		{name: "Verify/SMS", once: true, bestEffort: reset, run: verifyRun, wrong: verifyWrong,
			prepare: func(w *world) { w.challenge, w.code = w.send(w.smsID, false, w.now) }},
		{name: "Confirm/SMS", once: true, bestEffort: reset, run: confirmRun, wrong: confirmWrong,
			prepare: func(w *world) { w.id, w.challenge, w.code = w.pendingPhone(factor.KindSMS, "+31611112222", "", w.now) }},
		{name: "Confirm/SMS replacing", once: true, bestEffort: reset, run: confirmRun, wrong: confirmWrong,
			prepare: func(w *world) {
				w.stepUp()
				w.id, w.challenge, w.code = w.pendingPhone(factor.KindSMS, "+31611112222", w.smsID, w.now)
			}},
		{name: "Verify/keypad", once: true, bestEffort: reset,
			prepare: func(w *world) {
				w.challenge, w.code = w.send(w.voiceID, true, w.now)
				require.NoError(w.t, w.m.ApproveKeypad(w.ctx, w.challenge, w.code, w.now))
			},
			run:   func(w *world) error { return factortest.Err(w.m.Verify(w.ctx, attempt("", w.challenge, ""), w.now)) },
			wrong: verifyWrong},
		// A repeated approval is an idempotent provider retry; the
		// one-time use of an approval is Verify/keypad's.
		{name: "ApproveKeypad", bestEffort: reset,
			prepare: func(w *world) { w.challenge, w.code = w.send(w.voiceID, true, w.now) },
			run:     func(w *world) error { return w.m.ApproveKeypad(w.ctx, w.challenge, w.code, w.now) },
			wrong:   func(w *world) error { return w.m.ApproveKeypad(w.ctx, w.challenge, wrongDigits(w.code), w.now) }},
		{name: "Extension.Guard", bestEffort: reset, run: func(w *world) error { return w.m.Extension().Guard(w.ctx, "alice", w.now, func() error { return nil }) },
			wrong: func(w *world) error {
				return w.m.Extension().Guard(w.ctx, "alice", w.now, func() error { return factor.ErrInvalidCode })
			}},
		{name: "Extension.Guard/locking", bestEffort: reset, prepare: func(w *world) { w.fail(9) },
			run: func(w *world) error { return w.m.Extension().Guard(w.ctx, "alice", w.now, func() error { return nil }) },
			wrong: func(w *world) error {
				return w.m.Extension().Guard(w.ctx, "alice", w.now, func() error { return factor.ErrInvalidCode })
			}},
		{name: "Unlock", prepare: func(w *world) { w.fail(10) },
			run: func(w *world) error {
				return w.m.Unlock(w.ctx, factor.UnlockRequest{UserID: "alice", Actor: "desk"}, w.now)
			}},
	}
}

func challengeCases() []faultCase {
	status := func(w *world) error {
		_, err := w.m.ChallengeStatus(w.ctx, "alice", w.challenge, w.now)
		return err
	}
	return []faultCase{
		{name: "Challenge/SMS", run: func(w *world) error {
			_, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: w.smsID}, w.now)
			return err
		}},
		{name: "Challenge/keypad", run: func(w *world) error {
			_, err := w.m.Challenge(w.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: w.voiceID, Keypad: true}, w.now)
			return err
		}},
		{name: "Resend",
			prepare: func(w *world) { w.challenge, w.code = w.send(w.smsID, false, w.now.Add(-time.Minute)) },
			run: func(w *world) error {
				_, err := w.m.Resend(w.ctx, "alice", w.challenge, "nl", w.now)
				return err
			}},
		{name: "ChallengeStatus", run: status,
			prepare: func(w *world) { w.challenge, _ = w.send(w.voiceID, true, w.now) }},
		{name: "Extension.RecordDelivery",
			prepare: func(w *world) { w.challenge, _ = w.send(w.smsID, false, w.now) },
			run: func(w *world) error {
				_, err := w.m.Extension().RecordDelivery(w.ctx, factor.Receipt{ChallengeID: w.challenge, Send: 1, Delivery: factor.DeliveryUndelivered}, w.now)
				return err
			}},
	}
}

func methodCases() []faultCase {
	return []faultCase{
		{name: "Remove", prepare: (*world).stepUp,
			run: func(w *world) error {
				return w.m.Remove(w.ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: w.smsID}, w.now)
			}},
		{name: "Remove/while required", policy: &requiredPolicy, prepare: (*world).stepUp,
			run: func(w *world) error {
				return w.m.Remove(w.ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: w.smsID}, w.now)
			}},
		{name: "Disable", prepare: (*world).stepUp,
			run: func(w *world) error { return w.m.Disable(w.ctx, factor.DisableRequest{UserID: "alice"}, w.now) }},
		{name: "SetPrimary",
			run: func(w *world) error { return w.m.SetPrimary(w.ctx, "alice", w.sms2ID, w.now) }},
		{name: "Status/trusted device", run: func(w *world) error {
			_, err := w.m.Status(w.ctx, factor.StatusRequest{UserID: "alice", DeviceToken: w.token, Devices: w.dev}, w.now)
			return err
		}},
		{name: "Status/first prompt", policy: &requiredPolicy, run: func(w *world) error {
			_, err := w.m.Status(w.ctx, factor.StatusRequest{UserID: "bob"}, w.now)
			return err
		}},
		{name: "Skip", policy: &requiredPolicy,
			run: func(w *world) error { return w.m.Skip(w.ctx, "bob", w.now) }},
	}
}

func adminCases() []faultCase {
	return []faultCase{
		{name: "Reset", run: func(w *world) error {
			code, err := w.m.Reset(w.ctx, factor.ResetRequest{UserID: "alice", Actor: "admin", IssueActivationCode: true}, w.now)
			w.leak.secret("an activation code", code)
			return err
		}},
		{name: "Prune", run: func(w *world) error {
			_, err := w.m.Prune(w.ctx, w.now)
			return err
		}},
		{name: "Forget", run: func(w *world) error { return w.m.Forget(w.ctx, "alice", "admin", w.now) }},
		{name: "Overview", run: func(w *world) error {
			_, err := w.m.Overview(w.ctx, []string{"alice", "bob"})
			return err
		}},
		{name: "IssueActivationCode", run: func(w *world) error {
			code, err := w.m.IssueActivationCode(w.ctx, "bob", "desk", w.now)
			w.leak.secret("an activation code", code)
			return err
		}},
		{name: "Activate", once: true, bestEffort: reset,
			prepare: func(w *world) {
				var err error
				w.code, err = w.m.IssueActivationCode(w.ctx, "bob", "desk", w.now)
				require.NoError(w.t, err)
			},
			run:   func(w *world) error { return w.m.Activate(w.ctx, "bob", w.code, w.now) },
			wrong: func(w *world) error { return w.m.Activate(w.ctx, "bob", "AAAA-BBBB-CCCC", w.now) }},
		{name: "Extension.Changed", run: func(w *world) error {
			return w.m.Extension().Changed(w.ctx, factor.Event{Type: factor.EventReset, UserID: "alice", Time: w.now, Actor: "admin"})
		}},
		{name: "Reseal", prepare: func(w *world) { w.build(keyNew, keyOld) }, run: func(w *world) error {
			_, err := w.m.Reseal(w.ctx, "alice")
			return err
		}},
	}
}

// builtOnCases are the operations of recovery and trust, which keep their
// one-time things in the Manager's Store.
func builtOnCases() []faultCase {
	check := func(token string) func(w *world) error {
		return func(w *world) error {
			ok, err := w.dev.Check(w.ctx, "alice", token, w.now)
			if err == nil && !ok {
				err = errNotTrusted
			}
			return err
		}
	}
	return []faultCase{
		{name: "recovery.Redeem", once: true, bestEffort: reset,
			run: func(w *world) error {
				_, err := w.rec.Redeem(w.ctx, "alice", w.recovery[0], w.now)
				return err
			},
			wrong: func(w *world) error {
				_, err := w.rec.Redeem(w.ctx, "alice", "AAAA-BBBB-CCCC-DDDD", w.now)
				return err
			}},
		{name: "recovery.Generate", run: func(w *world) error {
			codes, err := w.rec.Generate(w.ctx, "alice", w.now)
			w.leak.secret("a recovery code", codes...)
			return err
		}},
		{name: "trust.Remember", run: func(w *world) error {
			token, err := w.dev.Remember(w.ctx, "alice", "Safari", time.Hour*24, w.now)
			w.tokenSecret(token)
			return err
		}},
		{name: "trust.Check", run: func(w *world) error { return check(w.token)(w) },
			wrong: func(w *world) error { return check(tamper(w.token))(w) }},
	}
}

// storeFree are the methods of the Manager and its Extension that never
// touch the Store.
var storeFree = []string{"Extension", "Extension.CheckText", "Extension.CheckUserID", "Extension.Emit", "Extension.StepUpGrant", "Extension.Logger", "Extension.NewID", "Extension.Rand", "Extension.Sealer", "Extension.Store"}

// TestStoreFaultsCoverEveryOperation fails when the Manager or its
// Extension grows a method that neither TestStoreFaults covers nor
// storeFree lists.
func TestStoreFaultsCoverEveryOperation(t *testing.T) {
	covered := make(map[string]bool)
	for _, tc := range faultCases() {
		name, _, _ := strings.Cut(tc.name, "/")
		covered[name] = true
	}
	for prefix, typ := range map[string]reflect.Type{"": reflect.TypeFor[*factor.Manager](), "Extension.": reflect.TypeFor[factor.Extension]()} {
		for i := range typ.NumMethod() {
			name := prefix + typ.Method(i).Name
			assert.True(t, covered[name] || slices.Contains(storeFree, name), "%s is not in the fault table", name)
		}
	}
}
