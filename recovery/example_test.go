package recovery_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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

// A host generates a user's recovery codes when two-step verification is
// turned on and accepts one at login when the user lost their phone. This is
// the README's "Recovery codes" snippet, with the errors checked and the
// user's typing played by a loop.
func Example() {
	ctx := context.Background()
	userID := "alice"
	m, err := factor.NewManager(factor.Config{
		Store: memstore.New(),
		Keys:  []factor.ServerKey{{ID: "2026-07", Secret: []byte("an example secret of 32 bytes or more")}},
		Rand:  fixedRand(2026), // only so that the output is fixed; leave Rand nil
	})
	if err != nil {
		panic(err)
	}
	codes, err := recovery.New(m, recovery.Config{})
	if err != nil {
		panic(err)
	}

	// Right after two-step verification is turned on: show these once.
	list, err := codes.Generate(ctx, userID, time.Now())
	if err != nil {
		panic(err)
	}
	fmt.Println(len(list), "codes, such as", list[0])

	// The user types a code loosely, then the same code again, then a code
	// with a letter no code has.
	loose := strings.ToLower(strings.ReplaceAll(list[1], "-", " "))
	for _, typed := range []string{loose, list[1], "5T7G-XZX8-C8MU-PQ3D"} {
		r := httptest.NewRequest(http.MethodPost, "/login/recovery", strings.NewReader(url.Values{"code": {typed}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")

		// "Lost your phone?" at login. Case, spaces, dashes and look-alikes are
		// forgiven; wrong codes count against the user like any other code.
		res, err := codes.Redeem(ctx, userID, r.FormValue("code"), time.Now())
		switch {
		case errors.Is(err, factor.ErrMalformed): // a typo: nothing was counted
			fmt.Println("malformed:", err)
		case errors.Is(err, factor.ErrInvalidCode): // wrong or already used
			fmt.Println("refused:", err)
		case err == nil && res.Low: // 3 or fewer left: suggest a new set
			fmt.Println("accepted,", res.Remaining, "left: suggest a new set")
		case err == nil:
			fmt.Println("accepted,", res.Remaining, "left")
		}
	}
	// Output:
	// 10 codes, such as KHYJ-0NNM-PMG2-598H
	// accepted, 9 left
	// refused: recovery: factor: invalid code
	// malformed: factor: malformed code: not a recovery code character
}

// Four codes in the shorter 2E7G-XZX8-C8MW look: 60 bits each.
func ExampleConfig() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	m, err := factor.NewManager(factor.Config{
		Store: memstore.New(),
		Keys:  []factor.ServerKey{{ID: "2026-07", Secret: []byte("an example secret of 32 bytes or more")}},
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
