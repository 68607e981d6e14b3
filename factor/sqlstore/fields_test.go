package sqlstore_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

// fill sets every exported field of the struct p points to, except Version,
// to a value derived from seed, so that a field the store forgets to keep
// shows up as a difference. It fails on a field type it does not know, so
// that a new field cannot slip through unchecked.
func fill(t *testing.T, p any, seed int) {
	t.Helper()
	v := reflect.ValueOf(p).Elem()
	base := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(seed) * time.Hour)
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch {
		case name == "Version":
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(base.Add(time.Duration(i)*time.Minute + time.Microsecond)))
		case f.Kind() == reflect.String:
			f.SetString(name + "-" + strconv.Itoa(seed))
		case f.Kind() == reflect.Bool:
			f.SetBool(seed%2 == 1)
		case f.CanInt():
			f.SetInt(int64(seed*100 + i))
		case f.Type() == reflect.TypeFor[[]byte]():
			f.SetBytes([]byte{byte(seed), byte(i), 0, 255})
		default:
			t.Fatalf("fill: field %s of type %s is not handled", name, f.Type())
		}
	}
}

func TestEveryFieldPersists(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *sqlstore.Store) {
		t.Run("Enrollment", func(t *testing.T) { enrollmentFields(t, s) })
		t.Run("Challenge", func(t *testing.T) { challengeFields(t, s) })
		t.Run("Device", func(t *testing.T) { deviceFields(t, s) })
		t.Run("ActivationCode", func(t *testing.T) { activationFields(t, s) })
		t.Run("UserState", func(t *testing.T) { userStateFields(t, s) })
	})
}

func enrollmentFields(t *testing.T, s *sqlstore.Store) {
	var e factor.Enrollment
	fill(t, &e, 1)
	require.NoError(t, s.CreateEnrollment(ctx, &e))
	got, err := s.GetEnrollment(ctx, e.UserID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, &e, got)

	upd := e
	fill(t, &upd, 2)
	upd.ID, upd.UserID = e.ID, e.UserID
	require.NoError(t, s.UpdateEnrollment(ctx, &upd))
	got, err = s.GetEnrollment(ctx, e.UserID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, &upd, got)

	fill(t, &upd, 3)
	upd.ID, upd.UserID = e.ID, e.UserID
	require.NoError(t, s.UpdateEnrollmentVerified(ctx, &upd))
	list, err := s.ListEnrollments(ctx, e.UserID)
	require.NoError(t, err)
	assert.Equal(t, []*factor.Enrollment{&upd}, list)
}

func challengeFields(t *testing.T, s *sqlstore.Store) {
	var c factor.Challenge
	fill(t, &c, 1)
	require.NoError(t, s.CreateChallenge(ctx, &c))
	got, err := s.GetChallenge(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, &c, got)

	upd := c
	fill(t, &upd, 2)
	upd.ID, upd.UserID = c.ID, c.UserID
	require.NoError(t, s.UpdateChallenge(ctx, &upd))
	got, err = s.GetChallenge(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, &upd, got)
}

func deviceFields(t *testing.T, s *sqlstore.Store) {
	var d factor.TrustedDevice
	fill(t, &d, 1)
	require.NoError(t, s.CreateDevice(ctx, &d))
	got, err := s.GetDevice(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, &d, got)
	list, err := s.ListDevices(ctx, d.UserID)
	require.NoError(t, err)
	assert.Equal(t, []*factor.TrustedDevice{&d}, list)
}

func activationFields(t *testing.T, s *sqlstore.Store) {
	for seed := 1; seed <= 2; seed++ {
		var a factor.ActivationCode
		fill(t, &a, seed)
		a.UserID = "user"
		require.NoError(t, s.PutActivationCode(ctx, &a))
		got, err := s.GetActivationCode(ctx, a.UserID)
		require.NoError(t, err)
		assert.Equal(t, &a, got)
	}
}

func userStateFields(t *testing.T, s *sqlstore.Store) {
	var st factor.UserState
	fill(t, &st, 1)
	require.NoError(t, s.SaveUserState(ctx, &st))
	got, err := s.GetUserState(ctx, st.UserID)
	require.NoError(t, err)
	assert.Equal(t, &st, got)

	upd := st
	fill(t, &upd, 2)
	upd.UserID = st.UserID
	require.NoError(t, s.SaveUserState(ctx, &upd))
	got, err = s.GetUserState(ctx, st.UserID)
	require.NoError(t, err)
	assert.Equal(t, &upd, got)
}
