// Scaffolding: demo accounts for trying the app out; this file does not
// call twostep.

package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// demoAccount is a seeded account whose password is printed at start.
type demoAccount struct {
	// Role is "admin" or "user".
	Role string `json:"role"`
	// Email is the login name.
	Email string `json:"email"`
	// Password is the random password, printed at every start.
	Password string `json:"password"`
	// Activation is an activation code issued at this start for an admin
	// who cannot set up two-step verification without one; printed, never
	// stored.
	Activation string `json:"-"`
}

// seedDemo creates a demo admin and a demo user in an empty database, with
// random passwords kept in the data directory (mode 0600) so that every
// start can print them.
func (a *App) seedDemo(ctx context.Context) error {
	path := filepath.Join(a.cfg.DataDir, "demo-accounts.json")
	b, err := os.ReadFile(path)
	if err == nil {
		return json.Unmarshal(b, &a.demo)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if n, err := a.users.count(ctx); err != nil || n > 0 {
		return err
	}
	accounts := []demoAccount{
		{Role: "admin", Email: "admin@example.com", Password: demoPassword()},
		{Role: "user", Email: "user@example.com", Password: demoPassword()},
	}
	names := []string{"Demo Admin", "Demo User"}
	for i, d := range accounts {
		id := rand.Text()
		if _, err := a.users.create(ctx, id, d.Email, names[i], d.Password, d.Role == "admin", a.Now()); err != nil {
			return err
		}
	}
	if b, err = json.MarshalIndent(accounts, "", "  "); err != nil {
		return err
	}
	a.demo = accounts
	return os.WriteFile(path, b, 0o600)
}

// demoPassword returns a random password that meets the password rules.
func demoPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "Demo-" + string(b) + "-7Q"
}
