package sqlstore_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor/sqlstore"
)

// TestSchemaGuard checks what Migrate and CheckSchema say about databases
// this release must not use as they are.
func TestSchemaGuard(t *testing.T) {
	known := map[sqlstore.Dialect]int{sqlstore.SQLite: 6, sqlstore.Postgres: 5}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Run("newer", func(t *testing.T) {
				db := b.open(t)
				s, err := sqlstore.New(db, b.dialect)
				require.NoError(t, err)
				require.NoError(t, s.Migrate(ctx))
				_, err = db.Exec(`INSERT INTO twostep_schema_version (version, applied_at) VALUES (99, $1)`, appliedNow(b.dialect))
				require.NoError(t, err)
				for name, check := range map[string]func() error{
					"Migrate": func() error { return s.Migrate(ctx) }, "CheckSchema": func() error { return s.CheckSchema(ctx) },
				} {
					err := check()
					var se *sqlstore.SchemaError
					require.True(t, errors.As(err, &se), "%s: %v", name, err)
					assert.Equal(t, sqlstore.SchemaError{Recorded: 99, Known: known[b.dialect]}, *se)
					assert.Contains(t, err.Error(), "version 99")
					assert.Contains(t, err.Error(), "newer than version")
				}
				assert.Equal(t, append(latestVersions[b.dialect], 99), schemaVersions(t, db), "nothing was applied")
			})
			t.Run("unrecorded", func(t *testing.T) {
				db := b.open(t)
				_, err := db.Exec(`CREATE TABLE twostep_enrollments (id text PRIMARY KEY)`)
				require.NoError(t, err)
				s, err := sqlstore.New(db, b.dialect)
				require.NoError(t, err)
				err = s.Migrate(ctx)
				var se *sqlstore.SchemaError
				require.True(t, errors.As(err, &se), "%v", err)
				assert.True(t, se.Unrecorded)
				assert.Contains(t, err.Error(), "record each applied file's version")
				assert.ErrorAs(t, s.CheckSchema(ctx), &se)
			})
			t.Run("behind, then current", func(t *testing.T) {
				s, err := sqlstore.New(b.open(t), b.dialect)
				require.NoError(t, err)
				err = s.CheckSchema(ctx)
				var se *sqlstore.SchemaError
				require.True(t, errors.As(err, &se), "an empty database: %v", err)
				assert.Equal(t, sqlstore.SchemaError{Recorded: 0, Known: known[b.dialect]}, *se)
				assert.Contains(t, err.Error(), "run Migrate")
				require.NoError(t, s.Migrate(ctx))
				assert.NoError(t, s.CheckSchema(ctx))
			})
		})
	}
}

func appliedNow(d sqlstore.Dialect) any {
	if d == sqlstore.SQLite {
		return int64(0)
	}
	return "2026-12-05T00:00:00Z"
}
