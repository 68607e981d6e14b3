// Scaffolding: the app's own accounts and passwords, as any app already
// has; this file does not call twostep.

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// User is an account of the app itself. twostep knows users only by ID.
type User struct {
	// ID is the app's user ID, which is also the twostep user ID.
	ID string
	// Email is the login name.
	Email string
	// Name is how the app greets the user.
	Name string
	// Admin users see the admin pages.
	Admin bool
	// CreatedAt is when the account was made.
	CreatedAt time.Time

	hash []byte
}

// errEmailTaken means an account with the email address exists already.
var errEmailTaken = errors.New("webapp: email address taken")

// errBadLogin means an unknown email address or a wrong password.
var errBadLogin = errors.New("webapp: wrong email address or password")

// users keeps the app's accounts in its own table, webapp_users, beside
// twostep's tables in the same database.
type users struct {
	db   *sql.DB
	cost int
	// dummy is a hash compared against for unknown users, so that a login
	// takes as long whether or not the account exists.
	dummy []byte
}

const usersSchema = `CREATE TABLE IF NOT EXISTS webapp_users (
	id            TEXT    NOT NULL PRIMARY KEY,
	email         TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0,
	created_at    BIGINT  NOT NULL
)`

func newUsers(ctx context.Context, db *sql.DB, cost int) (*users, error) {
	if _, err := db.ExecContext(ctx, usersSchema); err != nil {
		return nil, fmt.Errorf("create webapp_users: %w", err)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), cost)
	if err != nil {
		return nil, err
	}
	return &users{db: db, cost: cost, dummy: dummy}, nil
}

// create stores a new account with a bcrypt hash of password.
func (u *users) create(ctx context.Context, id, email, name, password string, admin bool, now time.Time) (*User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), u.cost)
	if err != nil {
		return nil, err
	}
	return u.insert(ctx, id, email, name, hash, admin, now)
}

// insert stores a new account with a password hash made earlier.
func (u *users) insert(ctx context.Context, id, email, name string, hash []byte, admin bool, now time.Time) (*User, error) {
	email = normalizeEmail(email)
	_, err := u.db.ExecContext(ctx,
		`INSERT INTO webapp_users (id, email, name, password_hash, admin, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, email, name, string(hash), boolInt(admin), now.Unix())
	if err != nil {
		if taken, _ := u.byEmail(ctx, email); taken != nil {
			return nil, errEmailTaken
		}
		return nil, fmt.Errorf("insert user: %w", err)
	}
	return &User{ID: id, Email: email, Name: name, Admin: admin, CreatedAt: now, hash: hash}, nil
}

// authenticate returns the user with this email address and password.
func (u *users) authenticate(ctx context.Context, email, password string) (*User, error) {
	usr, err := u.byEmail(ctx, normalizeEmail(email))
	if err != nil {
		return nil, err
	}
	hash := u.dummy
	if usr != nil {
		hash = usr.hash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || usr == nil {
		return nil, errBadLogin
	}
	return usr, nil
}

const userColumns = `id, email, name, password_hash, admin, created_at`

// byEmail returns the user or nil when there is none.
func (u *users) byEmail(ctx context.Context, email string) (*User, error) {
	return u.one(ctx, `SELECT `+userColumns+` FROM webapp_users WHERE email = $1`, email)
}

// byID returns the user or nil when there is none.
func (u *users) byID(ctx context.Context, id string) (*User, error) {
	return u.one(ctx, `SELECT `+userColumns+` FROM webapp_users WHERE id = $1`, id)
}

func (u *users) one(ctx context.Context, query, arg string) (*User, error) {
	usr, err := scanUser(u.db.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return usr, err
}

// page returns at most limit accounts, ordered by email address, after
// the first offset.
func (u *users) page(ctx context.Context, offset, limit int) ([]*User, error) {
	rows, err := u.db.QueryContext(ctx, `SELECT `+userColumns+` FROM webapp_users ORDER BY email LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		usr, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, usr)
	}
	return out, rows.Err()
}

// count returns the number of accounts.
func (u *users) count(ctx context.Context) (int, error) {
	var n int
	err := u.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webapp_users`).Scan(&n)
	return n, err
}

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var usr User
	var hash string
	var admin, created int64
	if err := row.Scan(&usr.ID, &usr.Email, &usr.Name, &hash, &admin, &created); err != nil {
		return nil, err
	}
	usr.hash, usr.Admin, usr.CreatedAt = []byte(hash), admin != 0, time.Unix(created, 0).UTC()
	return &usr, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// passwordProblems checks the app's password rules: at least 12
// characters, a digit, a lower-case and an upper-case letter and a special
// character. It returns the translation keys of the rules broken.
func passwordProblems(pw string) []string {
	var digit, lower, upper, special bool
	for _, r := range pw {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case !unicode.IsSpace(r):
			special = true
		}
	}
	var out []string
	for _, c := range []struct {
		ok  bool
		key string
	}{{len([]rune(pw)) >= 12, "pw_len"}, {digit, "pw_digit"}, {lower, "pw_lower"}, {upper, "pw_upper"}, {special, "pw_special"}} {
		if !c.ok {
			out = append(out, c.key)
		}
	}
	if len(pw) > 72 {
		out = append(out, "pw_max")
	}
	return out
}
