package recovery_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/recovery"
)

// fixedRand returns a deterministic source for tests and examples.
func fixedRand(seed uint64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return mrand.NewChaCha8(s)
}

func Example() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	m, err := factor.NewManager(factor.Config{
		Store: memstore.New(),
		Keys:  []factor.Key{{ID: "2026-07", Secret: []byte("an example secret of 32 bytes or more")}},
		Rand:  fixedRand(2026), // only so that the output is fixed; leave Rand nil
	})
	if err != nil {
		panic(err)
	}
	codes, err := recovery.New(m, recovery.Config{Count: 4, Groups: 3}) // the 2E7G-XZX8-C8MW look
	if err != nil {
		panic(err)
	}

	// After the user enabled two-step verification: show the codes once.
	list, err := codes.Generate(ctx, "alice", now)
	if err != nil {
		panic(err)
	}
	fmt.Println(list)

	// At login, the user lost their phone and types a code, loosely.
	res, err := codes.Redeem(ctx, "alice", "  "+list[2][:4]+" – "+list[2][5:], now)
	fmt.Println(res.Remaining, res.Low, err)

	// A code works once.
	_, err = codes.Redeem(ctx, "alice", list[2], now)
	fmt.Println(errors.Is(err, factor.ErrInvalidCode))
	// Output:
	// [KHYJ-0NNM-PMG2 MM8V-N9EP-QG32 HAAJ-D6WX-K9FG C8A9-E8SC-BE72]
	// 3 true <nil>
	// true
}

func ExampleNormalize() {
	code, err := recovery.Normalize("2e7g – xzx8 – c8mw")
	fmt.Println(code, err)
	_, err = recovery.Normalize("2E7G-XZX8-C8MU")
	fmt.Println(err)
	// Output:
	// 2E7GXZX8C8MW <nil>
	// factor: malformed code: not a recovery code character
}

func ExampleFormat() {
	fmt.Println(recovery.Format("2E7GXZX8C8MW", 4))
	// Output: 2E7G-XZX8-C8MW
}
