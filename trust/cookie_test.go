package trust_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/trust"
)

func TestSetCookie(t *testing.T) {
	for _, d := range []time.Duration{12 * time.Hour, day, 3 * day, 7 * day} {
		t.Run(d.String(), func(t *testing.T) {
			e := newEnv(t, trust.Config{})
			tok := e.remember(t, "alice")
			rec := httptest.NewRecorder()
			e.d.SetCookie(rec, tok, d)
			header := rec.Header().Values("Set-Cookie")
			require.Len(t, header, 1)
			attrs := cookieAttrs(header[0])
			assert.Equal(t, "__Host-twostep-device="+tok, attrs[0])
			assert.ElementsMatch(t, []string{
				"Path=/", "Max-Age=" + strconv.Itoa(int(d/time.Second)), "HttpOnly", "Secure", "SameSite=Lax",
			}, attrs[1:])
			assert.NotContains(t, strings.ToLower(header[0]), "domain")

			c := rec.Result().Cookies()[0]
			assert.Equal(t, int(d.Seconds()), c.MaxAge)
			assert.True(t, c.Secure)
			assert.True(t, c.HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
			assert.Equal(t, "/", c.Path)
			assert.Empty(t, c.Domain)
		})
	}
}

func TestCookieRoundTrip(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	rec := httptest.NewRecorder()
	e.d.SetCookie(rec, tok, day)
	req := httptest.NewRequest(http.MethodGet, "https://example.com/login", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	req.AddCookie(&http.Cookie{Name: "session", Value: "other"})
	got := e.d.TokenFromRequest(req)
	assert.Equal(t, tok, got)
	assert.True(t, e.check(t, "alice", got))
}

func TestTokenFromRequestWithoutCookie(t *testing.T) {
	e := newEnv(t, trust.Config{})
	req := httptest.NewRequest(http.MethodGet, "https://example.com/login", nil)
	assert.Empty(t, e.d.TokenFromRequest(req))
	ok, err := e.d.Check(t.Context(), "alice", e.d.TokenFromRequest(req), t0)
	assert.NoError(t, err)
	assert.False(t, ok)
}

func TestTamperedCookie(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	// Replace one character of the validator with a different one: a fixed
	// replacement would leave the token unchanged whenever the random token
	// already holds that character there.
	c := byte('x')
	if tok[30] == c {
		c = 'y'
	}
	tampered := tok[:30] + string(c) + tok[31:]
	require.NotEqual(t, tok, tampered)
	req := httptest.NewRequest(http.MethodGet, "https://example.com/login", nil)
	req.Header.Set("Cookie", "__Host-twostep-device="+tampered)
	got := e.d.TokenFromRequest(req)
	require.Equal(t, tampered, got)
	ok, err := e.d.Check(t.Context(), "alice", got, t0)
	assert.NoError(t, err)
	assert.False(t, ok)
	assert.True(t, e.check(t, "alice", tok), "the real token is still trusted")
}

func TestClearCookie(t *testing.T) {
	e := newEnv(t, trust.Config{CookieName: "__Host-remember"})
	rec := httptest.NewRecorder()
	e.d.ClearCookie(rec)
	attrs := cookieAttrs(rec.Header().Get("Set-Cookie"))
	assert.Equal(t, "__Host-remember=", attrs[0])
	assert.ElementsMatch(t, []string{"Path=/", "Max-Age=0", "HttpOnly", "Secure", "SameSite=Lax"}, attrs[1:])
}

func TestCookieName(t *testing.T) {
	e := newEnv(t, trust.Config{CookieName: "__Host-remember"})
	rec := httptest.NewRecorder()
	e.d.SetCookie(rec, "t", time.Hour)
	assert.True(t, strings.HasPrefix(rec.Header().Get("Set-Cookie"), "__Host-remember=t;"))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", "__Host-twostep-device=a; __Host-remember=b")
	assert.Equal(t, "b", e.d.TokenFromRequest(req))
}

func cookieAttrs(header string) []string {
	parts := strings.Split(header, ";")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
