// Scaffolding: the App type, its start and its routes, as any web app
// has; this file does not call twostep (wiring.go builds its parts).

package main

import (
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// App is the web application: its own users and sessions, and twostep's
// Manager, recovery codes and trusted devices (twostepParts). It is an
// http.Handler.
type App struct {
	// Now is the app's clock, used everywhere instead of time.Now, so
	// that tests can move time. It must be safe for concurrent use.
	Now func() time.Time

	cfg   Config
	log   *slog.Logger
	db    *sql.DB
	users *users
	twostepParts
	outbox   *Outbox     // nil unless in development mode
	guard    *loginGuard // throttles password attempts
	signups  signups     // sign-ups waiting for their mailed code
	sessions *sessions
	pages    map[string]*template.Template
	handler  http.Handler
	patterns []string // the patterns behind sessions and CSRF checks
	demo     []demoAccount
}

// New builds the App from cfg: it opens (and if needed creates) the data
// directory and database, loads or makes the server keys, wires twostep
// and seeds the demo accounts.
func New(ctx context.Context, cfg Config) (*App, error) {
	a := &App{Now: time.Now, cfg: cfg, log: cfg.Logger}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if err := a.open(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context) error {
	var err error
	if a.pages, err = parseTemplates(); err != nil {
		return err
	}
	if a.cfg.Dev {
		a.outbox = NewOutbox(a.cfg.Console, func() time.Time { return a.Now() })
	}
	db, store, err := openDB(ctx, a.cfg)
	if err != nil {
		return err
	}
	a.db = db
	if a.users, err = newUsers(ctx, db, a.cfg.bcryptCost()); err != nil {
		return err
	}
	if err := a.twostep(store); err != nil {
		return err
	}
	if a.guard, err = newLoginGuard(a.cfg.DataDir); err != nil {
		return err
	}
	a.sessions = newSessions(func() time.Time { return a.Now() })
	a.handler = a.routes()
	if a.cfg.Demo {
		if err := a.seedDemo(ctx); err != nil {
			return err
		}
	}
	return a.bootstrapActivation(ctx)
}

// Close releases the database.
func (a *App) Close() error {
	if a.db == nil {
		return nil
	}
	return a.db.Close()
}

// ServeHTTP serves the app.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// routes builds the handler: static files outside the session machinery,
// everything else behind sessions and CSRF checks.
func (a *App) routes() http.Handler {
	mux := &routeMux{mux: http.NewServeMux()}
	a.authRoutes(mux)
	a.setupRoutes(mux)
	a.loginRoutes(mux)
	a.settingsRoutes(mux)
	a.passkeyRoutes(mux)
	a.linkRoutes(mux)
	a.adminRoutes(mux)
	if a.outbox != nil {
		a.outboxRoutes(mux)
	}
	mux.HandleFunc("GET /lang/{lang}", a.handleLang)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.errorPage(w, r, http.StatusNotFound, "err_not_found")
	})

	top := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	top.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	a.webhookRoutes(top)
	top.Handle("/", a.withSession(a.checkCSRF(mux.mux)))
	a.patterns = mux.patterns
	return securityHeaders(top)
}

// routeMux registers the app's handlers on a ServeMux and remembers their
// patterns, so that a test can find every form the app has.
type routeMux struct {
	mux      *http.ServeMux
	patterns []string
}

// HandleFunc registers h for pattern, as http.ServeMux.HandleFunc does.
func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.mux.HandleFunc(pattern, h)
}

// PrintWelcome tells the developer where the app is and how to log in.
func (a *App) PrintWelcome(w interface{ Write([]byte) (int, error) }, url string) {
	fmt.Fprintf(w, "\n%s is running at %s\n", a.cfg.AppName, url)
	for _, d := range a.demo {
		fmt.Fprintf(w, "  %-6s %-22s password %s\n", d.Role, d.Email, d.Password)
		if d.Activation != "" {
			fmt.Fprintf(w, "  %-6s %-22s activation code %s (one use, 21 days)\n", "", "", d.Activation)
		}
	}
	if a.outbox != nil && !a.cfg.BehindTLS {
		fmt.Fprintf(w, "  development outbox: %s/dev/outbox\n", url)
	}
	fmt.Fprintf(w, "  data: %s\n\n", a.cfg.DataDir)
}
