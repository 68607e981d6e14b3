package sqlstore

import (
	"context"
	"fmt"
)

// SchemaError reports a database whose schema this release of the package
// cannot use as it is. Migrate returns it for a database it must not touch;
// CheckSchema returns it for any database not exactly at the newest
// version.
type SchemaError struct {
	// Recorded is the newest version recorded in twostep_schema_version;
	// zero when none is.
	Recorded int
	// Known is the newest version this release's migrations reach.
	Known int
	// Unrecorded reports twostep_ tables in a database that records no
	// version.
	Unrecorded bool
}

// Error says what is wrong and how to fix it.
func (e *SchemaError) Error() string {
	switch {
	case e.Unrecorded:
		return "sqlstore: the database has twostep_ tables but twostep_schema_version records no version; " +
			"if another tool applied the files of Migrations, record each applied file's version in " +
			"twostep_schema_version (version, applied_at) and run Migrate again; otherwise drop the twostep_ tables"
	case e.Recorded > e.Known:
		return fmt.Sprintf("sqlstore: the database's schema is version %d, newer than version %d, the newest this release knows; "+
			"a newer release migrated it: run that release, or restore a backup made before it", e.Recorded, e.Known)
	}
	return fmt.Sprintf("sqlstore: the database's schema is version %d, older than version %d: run Migrate", e.Recorded, e.Known)
}

// catalogQueries count the twostep_ tables other than
// twostep_schema_version ($1 is its name), and tell whether that table
// exists, from the database's catalog.
var catalogQueries = map[Dialect][2]string{
	SQLite: {
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'twostep\_%' ESCAPE '\' AND name <> $1`,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`,
	},
	Postgres: {
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'twostep\_%' AND table_name <> $1`,
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`,
	},
}

// schemaState reads the newest recorded version and whether other twostep_
// tables exist.
func (s *Store) schemaState(ctx context.Context) (recorded int, tables bool, err error) {
	var n, hasVersions int
	q := catalogQueries[s.d]
	if err := s.row(ctx, q[0], "twostep_schema_version").Scan(&n); err != nil {
		return 0, false, err
	}
	if err := s.row(ctx, q[1], "twostep_schema_version").Scan(&hasVersions); err != nil {
		return 0, false, err
	}
	if hasVersions > 0 {
		err = s.row(ctx, `SELECT COALESCE(MAX(version), 0) FROM twostep_schema_version`).Scan(&recorded)
	}
	return recorded, n > 0, err
}

// knownVersion returns the newest version of the dialect's migrations.
func (s *Store) knownVersion() (int, error) {
	ms, err := loadMigrations(Migrations(s.d))
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].version, nil
}

// guardSchema refuses, with a *SchemaError, a database that Migrate must
// not touch: one a newer release migrated, and one with twostep_ tables
// but no recorded version.
func (s *Store) guardSchema(ctx context.Context) error {
	known, err := s.knownVersion()
	if err != nil {
		return err
	}
	recorded, tables, err := s.schemaState(ctx)
	switch {
	case err != nil:
		return err
	case recorded > known:
		return &SchemaError{Recorded: recorded, Known: known}
	case recorded == 0 && tables:
		return &SchemaError{Known: known, Unrecorded: true}
	}
	return nil
}

// CheckSchema reports whether the database's schema is exactly the one
// this release uses, without changing anything: for a host that migrates
// in a separate step and wants its servers to refuse to start on a
// database that step has not yet brought up to date, or that a newer
// release has already moved on. Any other schema is a *SchemaError.
func (s *Store) CheckSchema(ctx context.Context) error {
	if err := s.guardSchema(ctx); err != nil {
		return wrap("check schema", err)
	}
	known, _ := s.knownVersion()
	recorded, _, err := s.schemaState(ctx)
	if err != nil {
		return wrap("check schema", err)
	}
	if recorded != known {
		return &SchemaError{Recorded: recorded, Known: known}
	}
	return nil
}
