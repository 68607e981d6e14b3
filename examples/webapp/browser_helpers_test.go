package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screensDir is where screenshots of failed browser tests go.
var screensDir = filepath.Join(os.TempDir(), "twostep-webapp-screens")

// chromium finds the browser, or skips the test (fails it when
// TWOSTEP_REQUIRE_SERVICES=1, as in CI).
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "chromium not found (install Debian's chromium or set CHROMIUM); skipping browser tests"
	if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startBrowser starts one headless Chromium for all subtests, with a fresh
// profile.
func startBrowser(t *testing.T) context.Context {
	exe := chromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 1000))
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(browser); err != nil {
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			t.Fatalf("start chromium: %v", err)
		}
		t.Skipf("chromium does not start (%v); skipping browser tests", err)
	}
	t.Logf("screenshots of failed browser tests go to %s", screensDir)
	return browser
}

// tab is one isolated browser tab (its own cookies) on one test app.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newTab opens a tab in a new browser context, so that subtests share no
// cookies. When the test fails, it saves a screenshot.
func newTab(t *testing.T, browser context.Context, base string) *tab {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, for the life of ctx
		t.Fatalf("open tab: %v", err)
	}
	b := &tab{t: t, ctx: ctx, base: base}
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot("failed")
		}
	})
	return b
}

// act runs an action with a time limit, so that a test that waits for a
// page that never comes fails instead of hanging.
func act[T any](b *tab, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// screenshot saves the page as PNG under screensDir and logs the path.
func (b *tab) screenshot(name string) string {
	png, err := act(b, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot: %v", err)
		return ""
	}
	os.MkdirAll(screensDir, 0o755)
	path := filepath.Join(screensDir, strings.ReplaceAll(b.t.Name(), "/", "_")+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot: %v", err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// open navigates to path.
func (b *tab) open(path string) {
	b.t.Helper()
	if _, err := act(b, chromedp.Navigate(b.base+path)); err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
}

// fill sets the value of the input with this ID.
func (b *tab) fill(id, value string) {
	b.t.Helper()
	if _, err := act(b, chromedp.SetValue(chromedp.ID(id), value)); err != nil {
		b.t.Fatalf("fill #%s: %v", id, err)
	}
}

// click clicks the element with this ID and waits for the next page.
func (b *tab) click(id string) {
	b.t.Helper()
	if _, err := act(b, waitPage(chromedp.Click(chromedp.ID(id)))); err != nil {
		b.t.Fatalf("click #%s: %v", id, err)
	}
}

// clickCSS clicks the first element matching sel and waits for the page.
func (b *tab) clickCSS(sel string) {
	b.t.Helper()
	if _, err := act(b, waitPage(chromedp.Click(chromedp.CSS(sel)))); err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
}

// text returns the visible text of the element with this ID.
// A node found while the page is still being replaced can be gone when
// its text is read; text asks again for a moment then.
func (b *tab) text(id string) string {
	b.t.Helper()
	var err error
	for try := 0; try < 5; try++ {
		var s string
		if s, err = act(b, chromedp.Text(chromedp.ID(id))); err == nil {
			return strings.TrimSpace(s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("text of #%s: %v", id, err)
	return ""
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *tab, js string) T {
	b.t.Helper()
	v, err := act(b, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// has reports whether the page has an element with this ID, without
// waiting for one.
func (b *tab) has(id string) bool {
	b.t.Helper()
	return eval[bool](b, `document.getElementById(`+jsString(id)+`) !== null`)
}

// path is the path of the current page.
func (b *tab) path() string {
	b.t.Helper()
	return eval[string](b, `location.pathname`)
}

// wantPath fails unless the browser is on path.
func (b *tab) wantPath(path string) {
	b.t.Helper()
	if got := b.path(); got != path {
		b.t.Fatalf("on %s, want %s; page says: %s", got, path, eval[string](b, `document.querySelector("main").innerText`))
	}
}

// body is the text of the page's main element.
func (b *tab) body() string {
	b.t.Helper()
	return eval[string](b, `document.querySelector("main").innerText`)
}

// login enters the email address and the test password.
func (b *tab) login(email string) {
	b.t.Helper()
	b.open("/login")
	b.fill("email", email)
	b.fill("password", testPassword)
	b.click("login-submit")
}

// enterCode types a code into #code and submits it.
func (b *tab) enterCode(code string) {
	b.t.Helper()
	b.fill("code", code)
	b.click("code-submit")
}

// waitPage runs the action and waits for the page it leads to.
func waitPage(a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.RunResponse(ctx, a)
		return chromedp.Void{}, err
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// waitPath waits until the page, navigating by itself, reaches path.
func (b *tab) waitPath(path string) {
	b.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if p, err := act(b, chromedp.Evaluate[string](`location.pathname`)); err == nil && p == path {
			if _, err := act(b, chromedp.WaitReady(chromedp.CSS("footer"))); err == nil {
				return
			}
		}
	}
	b.wantPath(path)
}

// codesShown checks that the user's first method, which turned two-step
// verification on, led straight to the recovery codes, and saves them:
// the page goes back to set-up. It returns the codes.
func (b *tab) codesShown() []string {
	b.t.Helper()
	b.waitPath("/setup/recovery")
	codes := eval[[]string](b, `[...document.querySelectorAll("#recovery-codes code")].map(c => c.textContent)`)
	if len(codes) != 10 {
		b.t.Fatalf("got %d recovery codes as two-step verification turned on: %q", len(codes), codes)
	}
	b.click("codes-saved")
	b.wantPath("/setup")
	return codes
}
