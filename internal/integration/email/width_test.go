package email_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
)

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
	msg := "chromium not found (install Debian's chromium or set CHROMIUM); skipping the email screenshot test"
	if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// inkWidth is the width of the part of img that is not white: how wide
// the text of the email is laid out.
func inkWidth(img image.Image) int {
	b := img.Bounds()
	left, right := b.Max.X, b.Min.X
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xe000 || g < 0xe000 || bl < 0xe000 {
				left, right = min(left, x), max(right, x)
			}
		}
	}
	return max(right-left+1, 0)
}

// TestEmailHTMLWidthInChromium renders the code email's HTML in a wide
// headless Chromium window, as a wide mail client shows it, and measures
// the screenshot: the text stays within a column of at most 600 px.
func TestEmailHTMLWidthInChromium(t *testing.T) {
	exe := chromium(t)
	f := newFactor(t, email.Config{AppName: "Acme"})
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	e := &factor.Enrollment{ID: "e1", UserID: "alice", Kind: factor.KindEmail, Address: "alice@example.com"}
	c := &factor.Challenge{ID: "c1", UserID: "alice", EnrollmentID: "e1", Kind: factor.KindEmail, SentAt: now, ExpiresAt: now.Add(10 * time.Minute)}

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	defer cancelAlloc()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil {
		if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
			t.Fatalf("start chromium: %v", err)
		}
		t.Skipf("chromium does not start (%v); skipping the email screenshot test", err)
	}

	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			m, err := f.Compose(e, c, "123456", lang)
			require.NoError(t, err)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write([]byte(m.HTML))
			}))
			defer srv.Close()

			ctx, cancel := context.WithTimeout(browser, 30*time.Second)
			defer cancel()
			_, err = chromedp.Run(ctx, chromedp.Navigate(srv.URL))
			require.NoError(t, err)
			viewport, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.innerWidth`))
			require.NoError(t, err)
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(shot))
			require.NoError(t, err)
			require.Greater(t, viewport, 1000.0, "a wide mail client")
			w := inkWidth(img)
			t.Logf("%s: window %d px, text %d px wide", lang, img.Bounds().Dx(), w)
			assert.LessOrEqual(t, w, 600, "the email reads in a column of at most 600 px")
			assert.Greater(t, w, 300, "the email shows its text")
		})
	}
}
