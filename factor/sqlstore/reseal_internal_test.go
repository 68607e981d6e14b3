package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/twostep/twostep/factor"
)

// fakeSecret is a Factor whose enrollments carry a secret, enough for
// Reseal.
type fakeSecret struct{}

func (fakeSecret) Kind() factor.Kind { return "fake" }

func (fakeSecret) Prepare(e *factor.Enrollment) error {
	e.Secret = []byte("not a real secret")
	return nil
}

// TestResealAllPages re-seals users over several pages, on a SQLite
// database with a single connection: no result set may stay open while
// Reseal uses the database.
func TestResealAllPages(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "r.db")+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	s, err := New(db, SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))

	key := func(id string) factor.ServerKey {
		return factor.ServerKey{ID: id, Secret: []byte(id + "-0123456789abcdef0123456789abcdef")}
	}
	manager := func(keys ...factor.ServerKey) *factor.Manager {
		m, err := factor.NewManager(factor.Config{Store: s, Keys: keys, Factors: []factor.Factor{fakeSecret{}}})
		require.NoError(t, err)
		return m
	}
	before := manager(key("old"))
	now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	for i := range 7 {
		_, err := before.Enroll(ctx, factor.EnrollRequest{UserID: fmt.Sprintf("user-%d", i), Kind: "fake"}, now)
		require.NoError(t, err)
	}
	// Each run re-seals all 7 under the other key.
	toNew, toOld := manager(key("new"), key("old")), manager(key("old"), key("new"))
	for i, page := range []int{1, 2, 3, 7, 8, 500} {
		m := toNew
		if i%2 == 1 {
			m = toOld
		}
		n, err := s.resealAll(ctx, m, page)
		require.NoError(t, err)
		assert.Equal(t, 7, n, "page size %d", page)
	}
}
