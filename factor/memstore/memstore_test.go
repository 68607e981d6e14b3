package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

func TestConformance(t *testing.T) {
	factortest.TestStore(t, func(*testing.T) factor.Store {
		return memstore.New()
	})
}

func TestConformanceShared(t *testing.T) {
	shared := new(memstore.Store)
	factortest.TestStore(t, func(*testing.T) factor.Store {
		return shared
	})
}

func Example() {
	ctx := context.Background()
	s := memstore.New()
	e := &factor.Enrollment{ID: "enr-1", UserID: "alice", Kind: factor.KindTOTP, Label: "Phone", CreatedAt: time.Now()}
	if err := s.CreateEnrollment(ctx, e); err != nil {
		panic(err)
	}
	fmt.Println("version after create:", e.Version)

	// Two requests read the enrollment at version 1; the second update loses.
	a, _ := s.GetEnrollment(ctx, "alice", "enr-1")
	b, _ := s.GetEnrollment(ctx, "alice", "enr-1")
	a.Counter, b.Counter = 100, 100
	fmt.Println("first update:", s.UpdateEnrollment(ctx, a), "version", a.Version)
	err := s.UpdateEnrollment(ctx, b)
	fmt.Println("second update conflicts:", errors.Is(err, factor.ErrConflict))

	_, err = s.GetEnrollment(ctx, "mallory", "enr-1")
	fmt.Println("another user's enrollment:", err)
	// Output:
	// version after create: 1
	// first update: <nil> version 2
	// second update conflicts: true
	// another user's enrollment: factor: not found
}
