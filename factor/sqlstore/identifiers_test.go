package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/trust"
)

// badTexts are identifiers no store may see: NUL, another control
// character, and bytes that are not UTF-8.
var badTexts = map[string]string{
	"NUL":           "alice\x00bob",
	"newline":       "alice\nbob",
	"C1 control":    "alice\u0085bob",
	"invalid UTF-8": "alice\xff\xfebob",
}

// identifierOps calls every Manager operation, and the recovery and trust
// operations built on it, with bad in one identifier or label at a time.
func identifierOps(m *factor.Manager, codes *recovery.Codes, devices *trust.Devices, bad string) map[string]func(ctx context.Context, now time.Time) error {
	id := "aaaaaaaaaaaaaaaaaaaaaaaaaa"
	return map[string]func(ctx context.Context, now time.Time) error{
		"Verify/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Verify(ctx, factor.Answer{UserID: bad, EnrollmentID: id, Code: "123456"}, now))
		},
		"Verify/enrollment": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: bad, Code: "123456"}, now))
		},
		"Verify/challenge": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Verify(ctx, factor.Answer{UserID: "u", ChallengeID: bad, Code: "123456"}, now))
		},
		"Confirm/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Confirm(ctx, factor.Answer{UserID: bad, EnrollmentID: id, Code: "123456"}, now))
		},
		"Enroll/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Enroll(ctx, factor.EnrollRequest{UserID: bad, Kind: factor.KindTOTP}, now))
		},
		"Enroll/label": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Enroll(ctx, factor.EnrollRequest{UserID: "u", Kind: factor.KindTOTP, Label: bad}, now))
		},
		"Enroll/replaces": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Enroll(ctx, factor.EnrollRequest{UserID: "u", Kind: factor.KindTOTP, Replaces: bad}, now))
		},
		"Challenge/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Challenge(ctx, factor.ChallengeRequest{UserID: bad, EnrollmentID: id}, now))
		},
		"Challenge/enrollment": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Challenge(ctx, factor.ChallengeRequest{UserID: "u", EnrollmentID: bad}, now))
		},
		"Resend/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Resend(ctx, bad, id, "en", now))
		},
		"Resend/challenge": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Resend(ctx, "u", bad, "en", now))
		},
		"ChallengeStatus/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.ChallengeStatus(ctx, bad, id, now))
		},
		"ChallengeStatus/challenge": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.ChallengeStatus(ctx, "u", bad, now))
		},
		"ApproveKeypad/challenge": func(ctx context.Context, now time.Time) error { return m.ApproveKeypad(ctx, bad, "12", now) },
		"Remove/user": func(ctx context.Context, now time.Time) error {
			return m.Remove(ctx, factor.RemoveRequest{UserID: bad, EnrollmentID: id}, now)
		},
		"Remove/enrollment": func(ctx context.Context, now time.Time) error {
			return m.Remove(ctx, factor.RemoveRequest{UserID: "u", EnrollmentID: bad}, now)
		},
		"SetPrimary/user":       func(ctx context.Context, now time.Time) error { return m.SetPrimary(ctx, bad, id, now) },
		"SetPrimary/enrollment": func(ctx context.Context, now time.Time) error { return m.SetPrimary(ctx, "u", bad, now) },
		"Disable/user": func(ctx context.Context, now time.Time) error {
			return m.Disable(ctx, factor.DisableRequest{UserID: bad}, now)
		},
		"Skip/user": func(ctx context.Context, now time.Time) error { return m.Skip(ctx, bad, now) },
		"Status/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Status(ctx, factor.StatusRequest{UserID: bad}, now))
		},
		"Enrollments/user": func(ctx context.Context, now time.Time) error { return factortest.Err(m.Enrollments(ctx, bad, now)) },
		"IssueActivationCode/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.IssueActivationCode(ctx, bad, "desk", now))
		},
		"IssueActivationCode/actor": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.IssueActivationCode(ctx, "u", bad, now))
		},
		"Activate/user": func(ctx context.Context, now time.Time) error { return m.Activate(ctx, bad, "AAAA-BBBB-CCCC", now) },
		"Reset/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Reset(ctx, factor.ResetRequest{UserID: bad, Actor: "admin"}, now))
		},
		"Reset/actor": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Reset(ctx, factor.ResetRequest{UserID: "u", Actor: bad}, now))
		},
		"Reset/reason": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Reset(ctx, factor.ResetRequest{UserID: "u", Actor: "admin", Reason: bad}, now))
		},
		"Unlock/user": func(ctx context.Context, now time.Time) error {
			return m.Unlock(ctx, factor.UnlockRequest{UserID: bad, Actor: "admin"}, now)
		},
		"Unlock/reason": func(ctx context.Context, now time.Time) error {
			return m.Unlock(ctx, factor.UnlockRequest{UserID: "u", Actor: "admin", Reason: bad}, now)
		},
		"Forget/user":  func(ctx context.Context, now time.Time) error { return m.Forget(ctx, bad, "admin", now) },
		"Forget/actor": func(ctx context.Context, now time.Time) error { return m.Forget(ctx, "u", bad, now) },
		"Unlock/actor": func(ctx context.Context, now time.Time) error {
			return m.Unlock(ctx, factor.UnlockRequest{UserID: "u", Actor: bad}, now)
		},
		"Overview/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(m.Overview(ctx, []string{"u", bad}))
		},
		"Reseal/user": func(ctx context.Context, now time.Time) error { return factortest.Err(m.Reseal(ctx, bad)) },
		"Extension.Guard/user": func(ctx context.Context, now time.Time) error {
			return m.Extension().Guard(ctx, bad, now, func() error { return nil })
		},
		"recovery.Generate/user": func(ctx context.Context, now time.Time) error { return factortest.Err(codes.Generate(ctx, bad, now)) },
		"recovery.Redeem/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(codes.Redeem(ctx, bad, "AAAA-BBBB-CCCC-DDDD", now))
		},
		"trust.Remember/user": func(ctx context.Context, now time.Time) error {
			return factortest.Err(devices.Remember(ctx, bad, "Firefox", 12*time.Hour, now))
		},
		"trust.Remember/label": func(ctx context.Context, now time.Time) error {
			return factortest.Err(devices.Remember(ctx, "u", bad, 12*time.Hour, now))
		},
		"trust.List/user":      func(ctx context.Context, now time.Time) error { return factortest.Err(devices.List(ctx, bad, now)) },
		"trust.RevokeAll/user": func(ctx context.Context, now time.Time) error { return devices.RevokeAll(ctx, bad, "u", now) },
	}
}

// TestBadIdentifiersTouchNothing sends NUL, control characters and invalid
// UTF-8 in every identifier and label to every operation, on memstore,
// SQLite and PostgreSQL: each is an error wrapping ErrMalformed, made
// before any store call, so nothing is stored and no database sees it.
func TestBadIdentifiersTouchNothing(t *testing.T) {
	stores := map[string]func(t *testing.T) factor.Store{"memstore": func(*testing.T) factor.Store { return memstore.New() }}
	for _, b := range backends() {
		stores[b.name] = b.factorStore
	}
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			fs := &factortest.FaultStore{Inner: open(t)}
			m := newTOTPManager(t, fs.Store(), []factor.ServerKey{newKey(t, "k1")}, newApp(t))
			codes, err := recovery.New(m, recovery.Config{})
			require.NoError(t, err)
			devices, err := trust.New(m, trust.Config{})
			require.NoError(t, err)
			for what, bad := range badTexts {
				for op, call := range identifierOps(m, codes, devices, bad) {
					fs.Arm(0, false)
					err := call(context.Background(), now)
					require.Error(t, err, "%s with %s", op, what)
					assert.True(t, errors.Is(err, factor.ErrMalformed), "%s with %s: %v", op, what, err)
					assert.Empty(t, fs.Calls(), "%s with %s reached the store", op, what)
				}
			}
		})
	}
}
