package trust_test

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/trust"
)

func Example() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	m, err := factor.NewManager(factor.Config{
		Store: memstore.New(),
		Keys:  []factor.Key{{ID: "2026-07", Secret: []byte("an example secret of 32 bytes or more")}},
		Rand:  mrand.NewChaCha8([32]byte{}), // only so that the output is fixed; leave Rand nil
	})
	if err != nil {
		panic(err)
	}
	devices, err := trust.New(m, trust.Config{}) // 12 h, 1 day, 3 days, 1 week
	if err != nil {
		panic(err)
	}

	// After a successful second step, the user ticked "remember me for a day".
	token, err := devices.Remember(ctx, "alice", "Firefox on Linux", 24*time.Hour, now)
	if err != nil {
		panic(err)
	}
	w := httptest.NewRecorder()
	devices.SetCookie(w, token, 24*time.Hour)
	fmt.Println(w.Header().Get("Set-Cookie"))

	// At the next login, after the password step: skip the code?
	r := httptest.NewRequest(http.MethodGet, "https://example.com/login", nil)
	r.Header.Set("Cookie", w.Header().Get("Set-Cookie"))
	trusted, err := devices.Check(ctx, "alice", devices.TokenFromRequest(r), now.Add(23*time.Hour))
	fmt.Println(trusted, err)
	trusted, _ = devices.Check(ctx, "alice", devices.TokenFromRequest(r), now.Add(24*time.Hour))
	fmt.Println(trusted)

	// A password change signs every device out.
	token, _ = devices.Remember(ctx, "alice", "Firefox on Linux", 12*time.Hour, now)
	_ = devices.RevokeAll(ctx, "alice", "alice", now)
	trusted, _ = devices.Check(ctx, "alice", token, now)
	fmt.Println(trusted)
	// Output:
	// __Host-twostep-device=2Yd-zm02iqwab0GexifHaw.G_sfo3xBoR6kat1qSNiUdE0uVm-N3XjzTPSSnvVPY10; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Lax
	// true <nil>
	// false
	// false
}

func ExampleDevices_List() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	m, _ := factor.NewManager(factor.Config{Store: memstore.New()})
	devices, _ := trust.New(m, trust.Config{})
	_, _ = devices.Remember(ctx, "alice", "Firefox on Linux", 7*24*time.Hour, now)
	_, _ = devices.Remember(ctx, "alice", "Safari on iPhone", 12*time.Hour, now.Add(time.Hour))

	list, _ := devices.List(ctx, "alice", now.Add(2*time.Hour))
	for _, d := range list {
		fmt.Printf("%s, trusted until %s\n", d.Label, d.ExpiresAt.Format("2 Jan 15:04"))
	}
	// Output:
	// Firefox on Linux, trusted until 8 Jul 09:00
	// Safari on iPhone, trusted until 1 Jul 22:00
}
