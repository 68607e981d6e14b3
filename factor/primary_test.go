package factor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// primaries returns the IDs of the enrollments marked primary in the
// user's status, and the ID of the method offered first.
func (w *world) primaries(at time.Time) (marked []string, first string) {
	st, err := w.m.Status(w.ctx, factor.StatusRequest{UserID: "alice"}, at)
	require.NoError(w.t, err)
	for _, md := range st.Enrollments {
		if md.Primary {
			marked = append(marked, md.ID)
		}
	}
	for _, md := range st.Offer[1:] {
		assert.False(w.t, md.Primary, "only the first offered method is primary")
	}
	return marked, st.Offer[0].ID
}

func TestOnePrimaryPerUser(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	at := w.now
	marked, first := w.primaries(at)
	assert.Equal(t, []string{w.totpID}, marked, "the first method confirmed is the primary; later ones are not, of any kind")
	assert.Equal(t, w.totpID, first)

	require.NoError(t, w.m.SetPrimary(w.ctx, "alice", w.sms2ID, at))
	marked, first = w.primaries(at)
	assert.Equal(t, []string{w.sms2ID}, marked, "a primary of another kind takes over")
	assert.Equal(t, w.sms2ID, first, "the primary is offered first, before policy order")
	require.NoError(t, w.m.SetPrimary(w.ctx, "alice", w.sms2ID, at), "again changes nothing")

	require.NoError(t, w.m.Remove(w.ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: w.sms2ID, StepUp: w.grantFor(at)}, at))
	marked, _ = w.primaries(at)
	assert.Equal(t, []string{w.smsID}, marked, "another number takes the removed number's place")

	at = at.Add(time.Minute)
	require.NoError(t, w.m.SetPrimary(w.ctx, "alice", w.voiceID, at))
	require.NoError(t, w.m.Remove(w.ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: w.voiceID, StepUp: w.grantFor(at)}, at))
	marked, first = w.primaries(at)
	assert.Equal(t, []string{w.totpID}, marked, "without another of its kind, the first in policy order")
	assert.Equal(t, w.totpID, first)
}

func TestOnePrimaryFromEnrollmentsStoredPerKind(t *testing.T) {
	w := newWorld(t, basePolicy, mem)
	// Enrollments stored when each kind had its own primary.
	store := w.fs.Store()
	for _, id := range []string{w.smsID, w.voiceID} {
		e, err := store.GetEnrollment(w.ctx, "alice", id)
		require.NoError(t, err)
		e.Primary = true
		require.NoError(t, store.UpdateEnrollment(w.ctx, e))
	}
	marked, first := w.primaries(w.now)
	assert.Equal(t, []string{w.totpID}, marked, "the first in policy order keeps it")
	assert.Equal(t, w.totpID, first)

	require.NoError(t, w.m.SetPrimary(w.ctx, "alice", w.voiceID, w.now))
	all, err := store.ListEnrollments(w.ctx, "alice")
	require.NoError(t, err)
	var stored []string
	for _, e := range all {
		if e.Primary {
			stored = append(stored, e.ID)
		}
	}
	assert.Equal(t, []string{w.voiceID}, stored, "SetPrimary settles the store")
}
