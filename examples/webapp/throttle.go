// Scaffolding: throttling of password guesses, as any login page needs;
// this file does not call twostep.

package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// A throttle delays a key (a client, an account) after failed password
// attempts: the first free failures cost nothing, then each failure makes
// the next attempt wait twice as long, from one second up to maxDelay and
// never longer, so that the throttle can slow a guesser down but cannot
// lock anyone out for more than a few minutes. Attempts refused while
// waiting are not counted. A key with no failure for forgetAfter starts
// afresh. At most throttleCap keys are kept, each as its SHA-256 (a key
// may be as long as a form allows); beyond that the key whose last failure
// is oldest goes.
type throttle struct {
	free int

	mu   sync.Mutex
	keys map[[32]byte]strikes
}

// strikes are the failures of one key.
type strikes struct {
	n    int
	last time.Time
}

const (
	maxDelay    = 5 * time.Minute
	forgetAfter = time.Hour
	throttleCap = 100000
)

func newThrottle(free int) *throttle { return &throttle{free: free, keys: make(map[[32]byte]strikes)} }

// wait returns how long key must wait before its next attempt; zero when
// it may try now.
func (t *throttle) wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.keys[sha256.Sum256([]byte(key))]
	if !ok || s.n < t.free || now.Sub(s.last) > forgetAfter {
		return 0
	}
	d := maxDelay
	if shift := s.n - t.free; shift < 9 {
		d = min(maxDelay, time.Second<<shift)
	}
	return max(0, s.last.Add(d).Sub(now))
}

// fail counts a failed attempt of key.
func (t *throttle) fail(key string, now time.Time) {
	h := sha256.Sum256([]byte(key))
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.keys[h]
	if !ok && len(t.keys) >= throttleCap {
		t.evict(now)
	}
	if now.Sub(s.last) > forgetAfter {
		s.n = 0
	}
	t.keys[h] = strikes{n: s.n + 1, last: now}
}

// reset forgets key's failures.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, sha256.Sum256([]byte(key)))
}

// evict drops the keys whose failures are forgotten, else the oldest; the
// caller holds the lock.
func (t *throttle) evict(now time.Time) {
	var oldest [32]byte
	var at time.Time
	for k, s := range t.keys {
		if now.Sub(s.last) > forgetAfter {
			delete(t.keys, k)
		} else if at.IsZero() || s.last.Before(at) {
			oldest, at = k, s.last
		}
	}
	if len(t.keys) >= throttleCap {
		delete(t.keys, oldest)
	}
}

// loginGuard throttles password attempts per client, and per account for
// clients without a device cookie: a signed cookie that a browser gets
// after a successful login to the account. Someone guessing one account's
// password from many addresses is slowed down, and its owner, whose
// browser has the cookie, still logs in at once.
type loginGuard struct {
	clients  *throttle
	accounts *throttle
	key      []byte // signs device cookies; kept in the data directory
}

// Free failures before the throttles start to delay.
const (
	clientFree  = 20
	accountFree = 5
)

// deviceCookieLife is how long a device cookie vouches for a browser.
const deviceCookieLife = 365 * 24 * time.Hour

func newLoginGuard(dataDir string) (*loginGuard, error) {
	key, err := loadSecret(filepath.Join(dataDir, "device-cookie-key"))
	if err != nil {
		return nil, err
	}
	return &loginGuard{clients: newThrottle(clientFree), accounts: newThrottle(accountFree), key: key}, nil
}

// loadSecret reads a 32-byte secret from path, or makes and stores one
// (mode 0600) on the first start.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil, errors.Join(err, errors.New(path+": want 32 bytes"))
	}
	b = make([]byte, 32)
	rand.Read(b)
	return b, os.WriteFile(path, b, 0o600)
}

// wait returns how long the client must wait before trying a password
// for email; zero when it may try now.
func (g *loginGuard) wait(client, email string, known bool, now time.Time) time.Duration {
	d := g.clients.wait(client, now)
	if !known {
		d = max(d, g.accounts.wait(normalizeEmail(email), now))
	}
	return d
}

// failed counts a wrong password.
func (g *loginGuard) failed(client, email string, known bool, now time.Time) {
	g.clients.fail(client, now)
	if !known {
		g.accounts.fail(normalizeEmail(email), now)
	}
}

// clientKey names the client: its IP address, or its /64 network for
// IPv6, where one client has many addresses. Behind a TLS-terminating
// proxy (-behind-tls) it is the address the proxy added last to
// X-Forwarded-For, since the connection comes from the proxy.
func (a *App) clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if xff := r.Header.Values("X-Forwarded-For"); a.cfg.BehindTLS && len(xff) > 0 {
		list := strings.Split(xff[len(xff)-1], ",")
		host = strings.TrimSpace(list[len(list)-1])
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// deviceCookieName is the cookie's name, with the __Host- prefix on HTTPS.
func (a *App) deviceCookieName(r *http.Request) string {
	if a.secure(r) {
		return "__Host-webapp-device"
	}
	return "webapp-device"
}

// deviceMAC signs an account and an expiry.
func (g *loginGuard) deviceMAC(email string, exp int64) []byte {
	mac := hmac.New(sha256.New, g.key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(exp))
	mac.Write(b[:])
	mac.Write([]byte("webapp device\x00" + normalizeEmail(email)))
	return mac.Sum(nil)[:16]
}

// knownDevice reports whether r carries a valid device cookie for email.
func (a *App) knownDevice(r *http.Request, email string) bool {
	c, err := r.Cookie(a.deviceCookieName(r))
	if err != nil {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) != 8+16 {
		return false
	}
	exp := int64(binary.BigEndian.Uint64(b[:8]))
	return a.Now().Unix() < exp && hmac.Equal(b[8:], a.guard.deviceMAC(email, exp))
}

// setDeviceCookie vouches for this browser and the account of email after
// a successful login. A browser carries one device cookie: the last
// account that logged in on it.
func (a *App) setDeviceCookie(w http.ResponseWriter, r *http.Request, email string) {
	exp := a.Now().Add(deviceCookieLife).Unix()
	b := binary.BigEndian.AppendUint64(nil, uint64(exp))
	b = append(b, a.guard.deviceMAC(email, exp)...)
	http.SetCookie(w, &http.Cookie{
		Name: a.deviceCookieName(r), Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		MaxAge: int(deviceCookieLife / time.Second), Secure: a.secure(r), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// retryAfter is a Retry-After value in whole seconds, rounded up.
func retryAfter(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }
