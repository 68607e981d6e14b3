package sqlstore_test

import (
	"database/sql"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/sms"
)

// keyIDs returns the key ID of every sealed secret in the database, by
// enrollment ID, read with SQL. A sealed secret starts with a version byte
// and the length of the key ID.
func keyIDs(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT id, secret FROM twostep_enrollments WHERE secret IS NOT NULL`)
	require.NoError(t, err)
	defer rows.Close()
	ids := map[string]string{}
	for rows.Next() {
		var id string
		var b []byte
		require.NoError(t, rows.Scan(&id, &b))
		require.True(t, len(b) > 2 && len(b) >= 2+int(b[1]), "a sealed secret")
		ids[id] = string(b[2 : 2+int(b[1])])
	}
	require.NoError(t, rows.Err())
	return ids
}

// allKeyIDs returns the distinct key IDs in ids.
func allKeyIDs(ids map[string]string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// TestRotationThroughSQL rotates the key of a database: rows sealed under
// the old key verify on a Manager with the new key in front; ResealAll
// re-seals every one of them, as the rows themselves show; then a Manager
// with only the new key verifies everything and one with only the old key
// nothing.
func TestRotationThroughSQL(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		oldKey, newKey := newKey(t, "2025"), newKey(t, "2026")
		text, err := sms.New(sms.Config{AppName: "Acme"})
		require.NoError(t, err)
		manager := func(keys ...factor.ServerKey) *factor.Manager {
			m, err := factor.NewManager(factor.Config{
				Store: s, Keys: keys, Factors: []factor.Factor{newApp(t), text},
				Sender: &factortest.RecordingSender{},
			})
			require.NoError(t, err)
			return m
		}

		before := manager(oldKey)
		var apps []*factor.Enrollment
		for _, u := range []string{"u1", "u2", "u2", "u3"} {
			var prev *factor.Enrollment
			if len(apps) > 0 && apps[len(apps)-1].UserID == u {
				prev = apps[len(apps)-1]
			}
			apps = append(apps, enrolTOTPAfter(t, before, u, prev, at(0)))
		}
		// A phone number has no secret, so there is nothing to re-seal.
		_, err = before.Enroll(ctx, factor.EnrollRequest{UserID: "u4", Kind: factor.KindSMS, Address: "06-12345678"}, at(0))
		require.NoError(t, err)
		assert.Equal(t, []string{"2025"}, allKeyIDs(keyIDs(t, db)))

		rotated := manager(newKey, oldKey)
		require.NoError(t, verifyTOTP(rotated, apps[0], totpCode(apps[0].Secret, at(1)), at(1)), "old rows verify with the old key behind the new")
		// A new enrollment is sealed under the new key at once.
		apps = append(apps, enrolTOTP(t, rotated, "u5", at(1)))
		assert.Equal(t, []string{"2025", "2026"}, allKeyIDs(keyIDs(t, db)))

		n, err := s.ResealAll(ctx, rotated)
		require.NoError(t, err)
		assert.Equal(t, 4, n, "every secret under the old key")
		assert.Equal(t, []string{"2026"}, allKeyIDs(keyIDs(t, db)))
		n, err = s.ResealAll(ctx, rotated)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing left to re-seal")

		after, retired := manager(newKey), manager(oldKey)
		for i, e := range apps {
			code := totpCode(e.Secret, at(2))
			assert.ErrorIs(t, verifyTOTP(retired, e, code, at(2)), factor.ErrSealed, "enrollment %d with the old key only", i)
			assert.NoError(t, verifyTOTP(after, e, code, at(2)), "enrollment %d with the new key only", i)
		}
	})
}

// TestResealAllCarriesOnPastBrokenSecrets tampers with one user's secret:
// ResealAll re-seals everyone else and reports that user with
// factor.ErrSealed.
func TestResealAllCarriesOnPastBrokenSecrets(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		oldKey, newKey := newKey(t, "old"), newKey(t, "new")
		before := newTOTPManager(t, s, []factor.ServerKey{oldKey})
		a := enrolTOTP(t, before, "a", at(0))
		b := enrolTOTP(t, before, "b", at(0))
		c := enrolTOTP(t, before, "c", at(0))
		bad := sealedSecret(t, db, b.ID)
		bad[len(bad)-1] ^= 1
		setSecret(t, db, b.ID, bad)

		rotated := newTOTPManager(t, s, []factor.ServerKey{newKey, oldKey})
		n, err := s.ResealAll(ctx, rotated)
		assert.Equal(t, 2, n)
		require.ErrorIs(t, err, factor.ErrSealed)
		assert.ErrorContains(t, err, `secrets of 1 users do not open`)
		assert.ErrorContains(t, err, `user "b"`)
		ids := keyIDs(t, db)
		assert.Equal(t, map[string]string{a.ID: "new", b.ID: "old", c.ID: "new"}, ids)

		_, err = s.ResealAll(ctx, nil)
		assert.Error(t, err, "a nil Manager")
	})
}
