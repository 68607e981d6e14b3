package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
)

// BenchmarkVerifyTOTP measures a login with an authenticator app through
// the Manager, from the code to the saved result, on a SQLite file in WAL
// mode and on PostgreSQL over loopback, with a right and a wrong code. It
// reports the SQL statements and transactions per login, counted by the
// counting driver of count_test.go.
//
//	go test -run '^$' -bench VerifyTOTP -benchmem -benchtime 2000x ./factor/sqlstore/
func BenchmarkVerifyTOTP(b *testing.B) {
	for _, ct := range countedTargets() {
		b.Run(ct.name, func(b *testing.B) {
			b.Run("RightCode", func(b *testing.B) { benchRight(b, ct) })
			b.Run("WrongCode", func(b *testing.B) { benchWrong(b, ct) })
		})
	}
}

// benchRight verifies a new right code, one step later each time, as a
// user logging in every 30 seconds would.
func benchRight(b *testing.B, ct countedTarget) {
	s, c := ct.counted(b)
	m := newTOTPManager(b, s, []factor.ServerKey{newKey(b, "bench")})
	e := enrolTOTP(b, m, "alice", at(0))
	a := factor.Answer{UserID: e.UserID, EnrollmentID: e.ID}
	codes, times := make([]string, b.N), make([]time.Time, b.N)
	for i := range b.N {
		times[i] = at(i + 1)
		codes[i] = totpCode(e.Secret, times[i])
	}
	stmts0, txs0 := c.snapshot()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		a.Code = codes[i]
		if _, err := m.Verify(ctx, a, times[i]); err != nil {
			b.Fatalf("step %d: %v", i+1, err)
		}
	}
	b.StopTimer()
	report(b, c, stmts0, txs0, 0, 0)
}

// benchWrong verifies a wrong code. Every few attempts it forgets the
// user's failures, outside the timer and the counts, so that the user is
// never locked out and every code is compared.
func benchWrong(b *testing.B, ct countedTarget) {
	s, c := ct.counted(b)
	m := newTOTPManager(b, s, []factor.ServerKey{newKey(b, "bench")})
	e := enrolTOTP(b, m, "alice", at(0))
	now := at(1)
	a := factor.Answer{UserID: e.UserID, EnrollmentID: e.ID, Code: wrongCode(e.Secret, now, 0)}
	var skipStmts, skipTxs int64
	stmts0, txs0 := c.snapshot()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%(failureLimit-1) == 0 {
			b.StopTimer()
			sBefore, tBefore := c.snapshot()
			if err := s.ResetAttempts(ctx, e.UserID); err != nil {
				b.Fatal(err)
			}
			sAfter, tAfter := c.snapshot()
			skipStmts, skipTxs = skipStmts+sAfter-sBefore, skipTxs+tAfter-tBefore
			b.StartTimer()
		}
		if _, err := m.Verify(ctx, a, now); !errors.Is(err, factor.ErrInvalidCode) {
			b.Fatalf("attempt %d: %v", i, err)
		}
	}
	b.StopTimer()
	report(b, c, stmts0, txs0, skipStmts, skipTxs)
}

// report adds the statements and transactions per operation since the
// given counts, less those skipped, as custom metrics.
func report(b *testing.B, c *stmtCounter, stmts0, txs0, skipStmts, skipTxs int64) {
	stmts, txs := c.snapshot()
	b.ReportMetric(float64(stmts-stmts0-skipStmts)/float64(b.N), "stmts/op")
	b.ReportMetric(float64(txs-txs0-skipTxs)/float64(b.N), "tx/op")
}
