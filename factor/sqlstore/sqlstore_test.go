package sqlstore_test

import (
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

// The conformance suite, on a fresh database for every subtest, and on one
// database shared by all subtests, as a long-lived application uses it.

func TestSQLiteFile(t *testing.T) {
	if testing.Short() {
		t.Skip("a new database file per subtest is slow; -short runs the same cases in TestSQLiteFileShared")
	}
	factortest.TestStore(t, backends()[0].factorStore)
}

func TestSQLiteMemory(t *testing.T) {
	factortest.TestStore(t, backends()[1].factorStore)
}

func TestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("a new schema per subtest is slow; -short runs the same cases in TestPostgresShared")
	}
	postgresDSN(t)
	factortest.TestStore(t, backends()[2].factorStore)
}

func TestSQLiteFileShared(t *testing.T) {
	shared := backends()[0].newStore(t)
	factortest.TestStore(t, func(*testing.T) factor.Store { return shared })
}

func TestPostgresShared(t *testing.T) {
	shared := backends()[2].newStore(t)
	factortest.TestStore(t, func(*testing.T) factor.Store { return shared })
}
