package sqlstore_test

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
)

// textFactor stands in for package sms: a Challenger that composes a
// plain text and takes the address as it is.
type textFactor struct{}

func (textFactor) Kind() factor.Kind { return factor.KindSMS }

func (textFactor) Compose(_ *factor.Enrollment, _ *factor.Challenge, code, _ string) (factor.Message, error) {
	return factor.Message{Text: "Your code is " + code}, nil
}

// TestRefusalsCostNothingInTheDatabase: one user with 20 pending numbers
// and 200 other users ask for 1,100 codes within one minute, nearly all
// refused; no refusal is charged to any window, so another user's login
// code in that minute goes out. On SQLite and PostgreSQL.
func TestRefusalsCostNothingInTheDatabase(t *testing.T) {
	forEachDB(t, func(t *testing.T, _ *sql.DB, s *sqlstore.Store) {
		sender := &factortest.RecordingSender{}
		m, err := factor.NewManager(factor.Config{
			Store: s, Factors: []factor.Factor{textFactor{}}, Sender: sender, MaxPending: 20,
			Keys: []factor.ServerKey{newKey(t, "k1")},
		})
		require.NoError(t, err)
		start := t0.Truncate(time.Minute)
		victim, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "victim", Kind: factor.KindSMS, Address: "+31623456789"}, start)
		require.NoError(t, err)
		sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "victim", EnrollmentID: victim.ID}, start)
		require.NoError(t, err)
		code, _ := sender.Last()
		require.NoError(t, factortest.Err(m.Confirm(ctx, factor.Answer{UserID: "victim", ChallengeID: sent.ChallengeID, Code: code.Code}, start)))

		minute := start.Add(time.Minute)
		var ids []string
		for i := range 20 {
			e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: "flooder", Kind: factor.KindSMS, Address: fmt.Sprintf("+3161200%04d", i)}, minute)
			require.NoError(t, err)
			ids = append(ids, e.ID)
		}
		others := make([]string, 200)
		for i := range others {
			e, err := m.Enroll(ctx, factor.EnrollRequest{UserID: fmt.Sprintf("other-%d", i), Kind: factor.KindSMS, Address: "+31655555555"}, minute)
			require.NoError(t, err)
			others[i] = e.ID
		}
		refused := 0
		for i := range 1100 {
			at := minute.Add(time.Duration(i) * 50 * time.Millisecond)
			req := factor.ChallengeRequest{UserID: "flooder", EnrollmentID: ids[i%len(ids)]}
			if i >= 900 {
				req = factor.ChallengeRequest{UserID: fmt.Sprintf("other-%d", i-900), EnrollmentID: others[i-900]}
			}
			if _, err := m.Challenge(ctx, req, at); errors.Is(err, factor.ErrRateLimited) {
				refused++
			}
		}
		require.Greater(t, refused, 1000, "nearly every request was refused")
		_, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: "victim", EnrollmentID: victim.ID}, minute.Add(56*time.Second))
		assert.NoError(t, err, "another user's code in the same minute goes out")
	})
}
