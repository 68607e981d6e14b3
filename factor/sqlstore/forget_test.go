package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/trust"
)

// traces are the values that name a user in the database: the user ID
// and the IDs of everything made for the user.
type traces []string

// populate leaves a row of every kind for user, through the Manager and
// the packages built on it, starting at minute start: an authenticator app
// and a phone number (confirmed and used), an unanswered SMS challenge,
// recovery codes, an activation code, a trusted device, a failed attempt,
// the user's state (from the activation) and a user handle (as package
// passkey records one). It returns the IDs and the handle made for the
// user.
func populate(t *testing.T, m *factor.Manager, sender *factortest.RecordingSender, user, phone string, start int) traces {
	tr := traces{user}
	app := at(start)
	e := enrolTOTP(t, m, user, app)
	tr = append(tr, e.ID)
	require.NoError(t, verifyTOTP(m, e, totpCode(e.Secret, at(start+1)), at(start+1)))
	p, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindSMS, Address: phone}, at(start+2))
	require.NoError(t, err)
	tr = append(tr, p.ID)
	code := func() string { msg, _ := sender.Last(); return msg.Code }
	sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: p.ID}, at(start+2))
	require.NoError(t, err)
	require.NoError(t, factortest.Err(m.Confirm(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: code()}, at(start+2))))
	sent, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: p.ID}, at(start+4))
	require.NoError(t, err)
	tr = append(tr, sent.ChallengeID)
	codes, err := recovery.New(m, recovery.Config{})
	require.NoError(t, err)
	_, err = codes.Generate(ctx, user, at(start+5))
	require.NoError(t, err)
	activation, err := m.IssueActivationCode(ctx, user, "desk", at(start+5))
	require.NoError(t, err)
	require.NoError(t, m.Activate(ctx, user, activation, at(start+5)))
	devices, err := trust.New(m, trust.Config{})
	require.NoError(t, err)
	token, err := devices.Remember(ctx, user, "Firefox", 24*time.Hour, at(start+6))
	require.NoError(t, err)
	selector, _, _ := strings.Cut(token, ".")
	tr = append(tr, selector)
	require.ErrorIs(t, verifyTOTP(m, e, wrongCode(e.Secret, at(start+7), 1), at(start+7)), factor.ErrInvalidCode)
	handle := "handle-" + user + "-0123456789"
	require.NoError(t, m.Extension().Store().(factor.HandleStore).PutHandle(ctx, user, []byte(handle)))
	return append(tr, handle)
}

// counterKeys returns the keys of every counter.
func counterKeys(t *testing.T, db *sql.DB) map[string]bool {
	rows, err := db.Query(`SELECT key FROM twostep_counters`)
	require.NoError(t, err)
	keys := map[string]bool{}
	for _, k := range scanNames(t, rows) {
		keys[k] = true
	}
	return keys
}

// TestForgetLeavesNothingOfTheUser fills every table for bob and then for
// alice, forgets alice, and scans every column of every twostep_ table,
// listed from the catalog, for alice's ID and the IDs made for her: none is
// left, and the only counters left are bob's and the deployment's. Bob's
// rows are all still there.
func TestForgetLeavesNothingOfTheUser(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		text, err := sms.New(sms.Config{AppName: "Acme"})
		require.NoError(t, err)
		sender := &factortest.RecordingSender{}
		var mu sync.Mutex
		var events []factor.Event
		sink := factor.EventFunc(func(_ context.Context, e factor.Event) { mu.Lock(); events = append(events, e); mu.Unlock() })
		m, err := factor.NewManager(factor.Config{Store: s, Keys: []factor.ServerKey{newKey(t, "k")}, Factors: []factor.Factor{newApp(t), text},
			Sender: sender, Events: sink})
		require.NoError(t, err)

		populate(t, m, sender, "bob-b0b", "0612345678", 0)
		bobKeys := counterKeys(t, db)
		bob := dumpTables(t, db)
		alice := populate(t, m, sender, "alice-a11ce", "0687654321", 20)
		for _, table := range twostepTables {
			if table != "twostep_schema_version" {
				assert.Greater(t, dumpTables(t, db).rows[table], bob.rows[table], "alice has rows in %s", table)
			}
		}

		require.NoError(t, m.Forget(ctx, "alice-a11ce", "admin", at(40)))

		after := dumpTables(t, db)
		for _, v := range alice {
			assert.NotContains(t, after.raw, v, "nothing of alice is left")
		}
		for k := range counterKeys(t, db) {
			assert.True(t, bobKeys[k] || strings.HasPrefix(k, "global:"), "counter %q is bob's or the deployment's", k)
		}
		delete(bob.rows, "twostep_counters") // alice's logins made global ones
		delete(after.rows, "twostep_counters")
		assert.Equal(t, bob.rows, after.rows, "bob's rows are all there")
		assert.Subset(t, keysOf(counterKeys(t, db)), keysOf(bobKeys), "bob's counters are all there")
		assert.Contains(t, after.raw, "bob-b0b")
		st, err := m.Status(ctx, factor.StatusRequest{UserID: "bob-b0b"}, at(41))
		require.NoError(t, err)
		assert.True(t, st.Enabled)
		assert.Equal(t, 10, st.RecoveryCodesLeft)

		mu.Lock()
		defer mu.Unlock()
		last := events[len(events)-1]
		assert.Equal(t, factor.EventForgotten, last.Type)
		assert.Equal(t, "alice-a11ce", last.UserID)
		assert.Equal(t, "admin", last.Actor)
	})
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
