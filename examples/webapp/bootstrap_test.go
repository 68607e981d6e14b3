package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/twostep/twostep/factor"
)

// activationOnly requires two-step verification now, with no grace days,
// and an activation code before enrolling.
var activationOnly = factor.Policy{Required: true, RequireActivation: true}

// With activation codes required and no grace days, every start prints an
// activation code for the demo admin until the admin has used one; the
// code works.
func TestStartPrintsFirstAdminsActivationCode(t *testing.T) {
	dir := t.TempDir()
	start := func() (*App, string) {
		cfg := Config{DataDir: dir, AppName: "T", Dev: true, Demo: true, Policy: activationOnly,
			BcryptCost: bcrypt.MinCost, Console: io.Discard, Logger: testLogger()}
		app, err := New(context.Background(), cfg)
		require.NoError(t, err)
		t.Cleanup(func() { app.Close() })
		var out strings.Builder
		app.PrintWelcome(&out, "http://localhost:8080")
		return app, out.String()
	}
	app, out := start()
	require.Len(t, app.demo, 2)
	code := app.demo[0].Activation
	require.NotEmpty(t, code, "no activation code for the demo admin")
	assert.Contains(t, out, "activation code "+code)
	assert.Empty(t, app.demo[1].Activation, "the demo user is no admin")
	app.Close()

	app, out = start() // a restart before the code was used: a fresh one
	again := app.demo[0].Activation
	require.NotEmpty(t, again)
	assert.Contains(t, out, again)
	admin, err := app.users.byEmail(context.Background(), app.demo[0].Email)
	require.NoError(t, err)
	require.NoError(t, app.m.Activate(context.Background(), admin.ID, again, app.Now()))
	app.Close()

	app, out = start() // activated: no more codes
	assert.Empty(t, app.demo[0].Activation)
	assert.NotContains(t, out, "activation code")
}

// Without activation codes nothing is issued at start.
func TestStartIssuesNoCodeWithoutActivation(t *testing.T) {
	ta := newTestAppWith(t, factor.Policy{}, func(c *Config) { c.Demo = true })
	for _, d := range ta.demo {
		assert.Empty(t, d.Activation)
	}
}

// The activation page links to a screen of its own for users without a
// code, which says who issues one.
func TestNoActivationCodeScreen(t *testing.T) {
	ta := newTestApp(t, activationOnly)
	u := ta.addUser(t, "new@example.com", false)
	c := ta.client(t)
	require.Equal(t, "/setup/offer", c.login(u.Email))
	_, _, page := c.get("/setup/activate", "Accept-Language", "en")
	assert.Contains(t, page, `href="/setup/activate/none"`)
	code, _, page := c.get("/setup/activate/none", "Accept-Language", "en")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "<title>"+tr("en", "noact_title"))
	assert.Contains(t, page, tr("en", "noact_who"))
	anon := ta.client(t)
	_, loc, _ := anon.get("/setup/activate/none")
	assert.Equal(t, "/login", loc)
}
