package factor_test

import (
	"context"
	"encoding/json"
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestStatusJSON pins the JSON a host's API returns for Status: snake_case
// names, zero times and empty lists left out.
func TestStatusJSON(t *testing.T) {
	used := time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)
	app := factor.EnrollmentInfo{ID: "e1", Kind: factor.KindTOTP, Label: "Phone", Primary: true, Confirmed: true, LastUsedAt: used}
	number := factor.EnrollmentInfo{ID: "e2", Kind: factor.KindSMS, Masked: "+31 6 •••• 5678"}
	full := factor.Status{
		Enrollments: []factor.EnrollmentInfo{app, number}, Enabled: true, Required: true, GraceDaysLeft: 0, CanSkip: false,
		Offer: []factor.EnrollmentInfo{app}, Kinds: []factor.Kind{factor.KindTOTP, factor.KindSMS},
		RecoveryCodesLeft: 9, DeviceTrusted: true, LockedUntil: used.Add(15 * time.Minute),
	}
	for name, st := range map[string]factor.Status{"status-full.json": full, "status-new-user.json": {Required: true, GraceDaysLeft: 14, CanSkip: true, Kinds: []factor.Kind{factor.KindTOTP}}} {
		b, err := json.MarshalIndent(st, "", "  ")
		require.NoError(t, err)
		messagetest.Golden(t, name, string(b)+"\n", *update)
		var back factor.Status
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, st, back, "%s round trips", name)
	}
}

// TestManagerStatusJSONOmitsZeroTimes marshals a real Status of a user who
// never logged in: no zero time appears.
func TestManagerStatusJSONOmitsZeroTimes(t *testing.T) {
	f := newFixture(t, factor.Config{})
	f.enrol(t, "alice", "s3cret-one")
	st, err := f.m.Status(context.Background(), factor.StatusRequest{UserID: "alice"}, t0)
	require.NoError(t, err)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "0001-01-01")
	assert.NotContains(t, string(b), "last_used_at")
	assert.NotContains(t, string(b), "locked_until")
	assert.Contains(t, string(b), `"enabled":true`)
	assert.Contains(t, string(b), `"kind":"spy"`)
}
