package factor_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

// allocated returns how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLongInputIsRefusedCheaply gives every input a megabyte: each is
// refused, and none is copied, normalised or parsed on the way.
func TestLongInputIsRefusedCheaply(t *testing.T) {
	e := newLeakEnv(t, factor.Policy{})
	totpID, _ := e.enrolTOTP("alice")
	phoneID := e.enrolPhone("alice", factor.KindSMS, "06-12345678")
	sent, err := e.m.Challenge(e.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: phoneID}, e.now)
	require.NoError(t, err)
	long := strings.Repeat("1", 1<<20)
	longEmail := long + "@example.com"
	e.secret("a long input", long[:64])
	enrol := func(en factor.EnrollRequest) error { _, err := e.m.Enroll(e.ctx, en, e.now); return err }
	for name, op := range map[string]func() error{
		"Verify TOTP": func() error {
			return factortest.Err(e.m.Verify(e.ctx, factor.Answer{UserID: "alice", EnrollmentID: totpID, Code: long}, e.now))
		},
		"Verify SMS": func() error {
			return factortest.Err(e.m.Verify(e.ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: long}, e.now))
		},
		"Confirm SMS": func() error {
			return factortest.Err(e.m.Confirm(e.ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: long}, e.now))
		},
		"user ID": func() error {
			return factortest.Err(e.m.Verify(e.ctx, factor.Answer{UserID: long, EnrollmentID: totpID, Code: "123456"}, e.now))
		},
		"ApproveKeypad":   func() error { return e.m.ApproveKeypad(e.ctx, sent.ChallengeID, long, e.now) },
		"Activate":        func() error { return e.m.Activate(e.ctx, "alice", long, e.now) },
		"recovery.Redeem": func() error { _, err := e.rec.Redeem(e.ctx, "alice", long, e.now); return err },
		"trust.Check": func() error {
			if ok, err := e.dev.Check(e.ctx, "alice", long, e.now); err != nil || ok {
				return err
			}
			return errNotTrusted
		},
		"Enroll SMS": func() error { return enrol(factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: long}) },
		"Enroll email": func() error {
			return enrol(factor.EnrollRequest{UserID: "bob", Kind: factor.KindEmail, Address: longEmail})
		},
		"Enroll label": func() error { return enrol(factor.EnrollRequest{UserID: "alice", Kind: factor.KindTOTP, Label: long}) },
	} {
		var err error
		n := allocated(func() { err = e.err(op()) })
		assert.Error(t, err, name)
		assert.Less(t, n, uint64(64<<10), "%s allocated %d bytes for a 1 MiB input", name, n)
	}
	n := allocated(func() { factor.UserMessage(factor.ErrInvalidCode, long) })
	assert.Less(t, n, uint64(64<<10), "UserMessage allocated %d bytes for a 1 MiB language", n)
}
