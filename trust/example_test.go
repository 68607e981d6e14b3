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

// A host remembers a device after the second step and lets it skip the
// second step at the next login, until the user's password changes. This is
// the README's "Remember this device" snippet, with the errors checked.
func Example() {
	ctx := context.Background()
	userID := "alice"
	m, err := factor.NewManager(factor.Config{
		Store: memstore.New(),
		Keys:  []factor.ServerKey{{ID: "2026-07", Secret: []byte("an example secret of 32 bytes or more")}},
		Rand:  mrand.NewChaCha8([32]byte{}), // only so that the output is fixed; leave Rand nil
	})
	if err != nil {
		panic(err)
	}
	devices, err := trust.New(m, trust.Config{}) // 12 h, 1 day, 3 days, 1 week; at most 30 days; 10 devices per user, oldest go first
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodPost, "https://example.com/login", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")

	// After the password step: a remembered device skips the second step. A
	// missing, expired, revoked or tampered cookie is simply false.
	ok, err := devices.Check(ctx, userID, devices.TokenFromRequest(r), time.Now())
	fmt.Println("first login, trusted:", ok, err)

	// After a successful second step with "remember me" ticked.
	token, err := devices.Remember(ctx, userID, trust.Label(r.UserAgent()), 24*time.Hour, time.Now()) // "Safari / iPhone"
	if err != nil {
		panic(err)
	}
	w := httptest.NewRecorder()
	devices.SetCookie(w, token, 24*time.Hour) // __Host-twostep-device; Secure; HttpOnly; SameSite=Lax
	fmt.Println(w.Header().Get("Set-Cookie"))

	// The next login from the same browser.
	r = httptest.NewRequest(http.MethodPost, "https://example.com/login", nil)
	r.AddCookie(w.Result().Cookies()[0])
	ok, err = devices.Check(ctx, userID, devices.TokenFromRequest(r), time.Now())
	fmt.Println("next login, trusted:", ok, err)

	// On a password change. Changes to the user's methods, admin resets and
	// used recovery codes revoke devices on their own.
	err = devices.RevokeAll(ctx, userID, userID, time.Now())
	if err != nil {
		panic(err)
	}
	ok, err = devices.Check(ctx, userID, devices.TokenFromRequest(r), time.Now())
	fmt.Println("after a password change, trusted:", ok, err)
	// Output:
	// first login, trusted: false <nil>
	// __Host-twostep-device=2Yd-zm02iqwab0GexifHaw.G_sfo3xBoR6kat1qSNiUdE0uVm-N3XjzTPSSnvVPY10; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Lax
	// next login, trusted: true <nil>
	// after a password change, trusted: false <nil>
}

// A remembered device is trusted until its time is up; a password change
// signs every device out.
func ExampleDevices_Check() {
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	m, err := factor.NewManager(factor.Config{
		Store: memstore.New(),
		Keys:  []factor.ServerKey{{ID: "2026-07", Secret: []byte("an example secret of 32 bytes or more")}},
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
