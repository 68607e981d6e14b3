package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"time"

	_ "modernc.org/sqlite"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

func Example() {
	// An in-memory SQLite database. A file would use the DSN recommended in
	// the package documentation instead.
	db, err := sql.Open("sqlite", "file:sqlstore_example?mode=memory&cache=shared&_pragma=busy_timeout(5000)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	ctx := context.Background()
	store, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	e := &factor.Enrollment{ID: "enr-1", UserID: "alice", Kind: factor.KindTOTP, Label: "Phone", CreatedAt: now}
	if err := store.CreateEnrollment(ctx, e); err != nil {
		log.Fatal(err)
	}

	// Two requests read version 1; the second update loses.
	a, _ := store.GetEnrollment(ctx, "alice", "enr-1")
	b, _ := store.GetEnrollment(ctx, "alice", "enr-1")
	a.Counter, b.Counter = 58000000, 58000000
	fmt.Println("first update:", store.UpdateEnrollment(ctx, a), "version", a.Version)
	err = store.UpdateEnrollment(ctx, b)
	fmt.Println("second update conflicts:", errors.Is(err, factor.ErrConflict))

	at, _ := store.ReserveAttempt(ctx, "alice", now)
	fmt.Println("failures counted:", at.Failures)
	// Output:
	// first update: <nil> version 2
	// second update conflicts: true
	// failures counted: 1
}
