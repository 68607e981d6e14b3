package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/twostep/twostep/factor"
)

// The outbox answers only to a loopback Host, so that a site whose name
// points at this machine cannot read the codes; pages on another Host do
// not link to it.
func TestOutboxLoopbackHostOnly(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	for _, tc := range []struct {
		host string
		open bool
	}{
		{"localhost", true}, {"localhost:8080", true}, {"LOCALHOST:1", true}, {"127.0.0.1:8080", true},
		{"127.0.0.2", true}, {"[::1]:8080", true}, {"::1", true},
		{"evil.example", false}, {"evil.example:8080", false}, {"localhost.evil.example", false},
		{"127.0.0.1.nip.io", false}, {"192.168.1.10:8080", false}, {"[::ffff:10.0.0.1]:80", false}, {"", false},
	} {
		code, body := getHost(ta.App, "/dev/outbox", tc.host)
		if tc.open {
			assert.Equal(t, http.StatusOK, code, "Host %q", tc.host)
		} else {
			assert.Equal(t, http.StatusNotFound, code, "Host %q", tc.host)
			_, login := getHost(ta.App, "/login", tc.host)
			assert.NotContains(t, login, `href="/dev/outbox"`, "Host %q", tc.host)
			assert.NotContains(t, body, `id="outbox"`, "Host %q", tc.host)
		}
	}
}

// Behind a TLS-terminating proxy there is no outbox, whatever the Host;
// with -dev-public it answers on every Host.
func TestOutboxBehindTLSAndDevPublic(t *testing.T) {
	for _, tc := range []struct {
		name              string
		behindTLS, public bool
		host              string
		want              int
	}{
		{"behind-tls", true, false, "localhost", http.StatusNotFound},
		{"behind-tls and dev-public", true, true, "localhost", http.StatusNotFound},
		{"dev-public", false, true, "192.168.1.10:8080", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{DataDir: t.TempDir(), AppName: "T", Dev: true, BehindTLS: tc.behindTLS, DevPublic: tc.public,
				BcryptCost: bcrypt.MinCost, Console: io.Discard, Logger: testLogger()}
			app, err := New(context.Background(), cfg)
			require.NoError(t, err)
			t.Cleanup(func() { app.Close() })
			code, _ := getHost(app, "/dev/outbox", tc.host)
			assert.Equal(t, tc.want, code)
			var out strings.Builder
			app.PrintWelcome(&out, "http://localhost:8080")
			assert.Equal(t, tc.want == http.StatusOK, strings.Contains(out.String(), "outbox"), out.String())
		})
	}
}

// getHost fetches path with this Host header.
func getHost(h http.Handler, path, host string) (int, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = host
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}
