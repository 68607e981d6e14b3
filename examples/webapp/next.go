// Scaffolding: where a redirect may lead, as any app with a "next"
// parameter needs; this file does not call twostep.

package main

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// maxNext bounds the length of a path a redirect may lead to.
const maxNext = 1024

// localPath returns next if it is a plain path on this site (with a
// query, if any), else "/". It is the one gate of every redirect (see
// redirect), so that a "next" parameter never sends the browser to
// another site.
//
// Browsers read a backslash as a slash and skip tabs and line breaks in
// URLs, and http.Redirect cleans dot segments, so "/./\evil.example"
// would become "//evil.example", another host. localPath therefore
// accepts only: a leading "/"; the characters RFC 3986 allows in a path
// and a query, with no backslash, space, control character or fragment;
// and a path that is already clean once its escapes are decoded (no dot
// segments, no empty segments, no escaped "/" or "\").
func localPath(next string) string {
	if len(next) > maxNext || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if !urlChar(next[i]) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return "/"
	}
	if !cleanPath(u.Path) || strings.ContainsFunc(u.Path, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

// cleanPath reports whether p is an absolute path that path.Clean leaves
// as it is, but for one trailing slash.
func cleanPath(p string) bool {
	c := path.Clean(p)
	return c == p || (p != "/" && c+"/" == p)
}

// urlChar reports whether c may appear in a local path and query: the
// unreserved and sub-delimiter characters of RFC 3986, ":", "@", "/",
// "?" and "%".
func urlChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0
}

// redirect sends the browser on with 303 See Other, so a form is not
// posted again on reload. Every path goes through localPath.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, localPath(to), http.StatusSeeOther)
}
