package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// hostileNext are "next" values (as the handler sees them, decoded once)
// that would lead a browser off the site, or that are not plain paths.
var hostileNext = []string{
	"//x", "/\\x", "\\\\x", "/./\\x", "/./\\evil.example", "/.//x", "///x", "/../x", "/a/../../x",
	"%2F%2Fx", "%5Cx", "/%2F%2Fx", "/%2f/x", "/%5Cx", "/%5c%5cx", "/.%2F/x", "/%2E/%5Cx", "/%00x", "/%09/x",
	"https:x", "https://x", "http:/x", "javascript:alert(1)", "data:text/html,x", "//x@y", "/\\@x",
	"/\t/x", "/\n/x", "/\r\n/x", "\t//x", " /x", "/x\x00", "/\x7fx", "/x y", "/x#frag", "/x\"y", "/x<y",
	"/\u3002x", "/\uff0fx", "", "x", "?next=//x", strings.Repeat("/a", maxNext),
}

// TestLocalPathHostile: every hostile value leads home; local paths stay.
func TestLocalPathHostile(t *testing.T) {
	for _, v := range hostileNext {
		assert.Equal(t, "/", localPath(v), "next=%q", v)
	}
	for _, v := range []string{"/", "/settings", "/admin?page=2", "/login/2fa?m=AB12", "/setup/phone?kind=sms",
		"/setup/", "/a%20b", "/lang/en?next=/settings", "/@x", "/x;y=1"} {
		assert.Equal(t, v, localPath(v), "next=%q", v)
	}
}

// TestLanguageSwitchStaysOnSite follows each hostile value through the
// language switch and resolves the Location the way a browser does
// (backslashes as slashes, tabs and line breaks dropped): it never
// leaves the site.
func TestLanguageSwitchStaysOnSite(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c := ta.client(t)
	base, err := url.Parse(ta.srv.URL + "/lang/en")
	require.NoError(t, err)
	for _, v := range append(hostileNext, "/settings") {
		code, loc, _ := c.get("/lang/en?next=" + url.QueryEscape(v))
		require.Equal(t, http.StatusSeeOther, code, "next=%q", v)
		browser := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "").Replace(loc)
		to, err := base.Parse(browser)
		require.NoError(t, err, "next=%q: Location %q", v, loc)
		assert.Equal(t, base.Host, to.Host, "next=%q: Location %q", v, loc)
		if v != "/settings" {
			assert.Equal(t, "/", loc, "next=%q", v)
		}
	}
	_, loc, _ := c.get("/lang/en?next=/./%5Cevil.example") // the raw form of the report
	assert.Equal(t, "/", loc)
}
