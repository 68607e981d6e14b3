package passkey_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
)

// TestSecondStepOnSQL runs passkeys as the second step on sqlstore, on
// SQLite and PostgreSQL: registration of two passkeys, a login with each,
// a replayed response, another user's passkey, and 100 concurrent
// finishes of one ceremony, of which exactly one passes.
func TestSecondStepOnSQL(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, b, passkey.Config{})
			laptop, key, bobs := newDevice(virtualwebauthn.AuthenticatorOptions{}), newDevice(virtualwebauthn.AuthenticatorOptions{}), newDevice(virtualwebauthn.AuthenticatorOptions{})
			laptopID := e.register(t, "alice", laptop, t0)
			keyID := e.register(t, "alice", key, t0.Add(time.Minute))
			e.register(t, "bob", bobs, t0)

			now := t0.Add(time.Hour)
			for _, c := range []struct {
				d  *device
				id string
			}{{laptop, laptopID}, {key, keyID}} {
				now = now.Add(time.Minute)
				a, err := e.p.BeginLogin(ctx, "alice", now)
				require.NoError(t, err)
				resp := c.d.get(t, a.Options)
				res, err := e.p.FinishLogin(ctx, "alice", resp, now)
				require.NoError(t, err)
				assert.Equal(t, c.id, res.EnrollmentID)
				stored, err := e.s.GetEnrollment(ctx, "alice", c.id)
				require.NoError(t, err)
				assert.True(t, now.Equal(stored.LastUsedAt), "last use is stored")

				_, err = e.p.FinishLogin(ctx, "alice", resp, now)
				assert.ErrorIs(t, err, factor.ErrInvalidCode, "a replayed response")
			}

			a, err := e.p.BeginLogin(ctx, "alice", now)
			require.NoError(t, err)
			_, err = e.p.FinishLogin(ctx, "alice", bobs.get(t, a.Options), now)
			assert.ErrorIs(t, err, factor.ErrInvalidCode, "another user's passkey")

			now = now.Add(time.Hour) // past the lock of the failures above
			a, err = e.p.BeginLogin(ctx, "alice", now)
			require.NoError(t, err)
			resp := laptop.get(t, a.Options)
			var wins, refused atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 100 {
				wg.Go(func() {
					<-start
					_, err := e.p.FinishLogin(ctx, "alice", resp, now)
					switch {
					case err == nil:
						wins.Add(1)
					case errors.Is(err, factor.ErrInvalidCode), errors.Is(err, factor.ErrLocked):
						refused.Add(1)
					default:
						t.Errorf("unexpected error: %v", err)
					}
				})
			}
			close(start)
			wg.Wait()
			assert.Equal(t, int64(1), wins.Load(), "one finish of one ceremony passes")
			assert.Equal(t, int64(99), refused.Load())
		})
	}
}

// TestPasswordlessOnSQL runs passwordless logins on sqlstore, on SQLite
// and PostgreSQL: the user is found by the user handle kept in
// twostep_user_handles, a replay and an unknown handle are refused alike,
// failures naming Alice's handle never lock her, and after Forget her
// passkey finds nobody and nothing of her is left in the handles table.
func TestPasswordlessOnSQL(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, b, passkey.Config{Passwordless: true, PasswordlessLimit: 1000})
			alice, bob := newDevice(virtualwebauthn.AuthenticatorOptions{}), newDevice(virtualwebauthn.AuthenticatorOptions{})
			aliceID := e.register(t, "alice", alice, t0)
			e.register(t, "bob", bob, t0)
			user, err := e.s.UserByHandle(ctx, alice.auth.Options.UserHandle)
			require.NoError(t, err)
			assert.Equal(t, "alice", user, "registration recorded the handle")

			finish := func(d *device, now time.Time) (passkey.PasswordlessLogin, error) {
				a, err := e.p.BeginPasswordless(ctx, now)
				require.NoError(t, err)
				return e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: d.get(t, a.Options), Client: "192.0.2.1"}, now)
			}
			login, err := finish(alice, t0.Add(time.Minute))
			require.NoError(t, err)
			assert.Equal(t, "alice", login.UserID)
			assert.Equal(t, aliceID, login.Result.EnrollmentID)
			login, err = finish(bob, t0.Add(time.Minute))
			require.NoError(t, err)
			assert.Equal(t, "bob", login.UserID)

			a, err := e.p.BeginPasswordless(ctx, t0.Add(2*time.Minute))
			require.NoError(t, err)
			resp := alice.get(t, a.Options)
			req := passkey.PasswordlessRequest{Ceremony: a.Ceremony, Response: resp, Client: "192.0.2.1"}
			_, err = e.p.FinishPasswordless(ctx, req, t0.Add(2*time.Minute))
			require.NoError(t, err)
			_, err = e.p.FinishPasswordless(ctx, req, t0.Add(2*time.Minute))
			assert.Equal(t, factor.ErrInvalidCode, err, "a replayed response")

			stranger := newDevice(virtualwebauthn.AuthenticatorOptions{UserHandle: []byte("a handle nobody has, 32 bytes...")})
			_, err = finish(stranger, t0.Add(3*time.Minute))
			assert.Equal(t, factor.ErrInvalidCode, err, "an unknown handle gets the same answer")

			impostor := newDevice(virtualwebauthn.AuthenticatorOptions{UserHandle: alice.auth.Options.UserHandle})
			for i := range 30 {
				_, err := finish(impostor, t0.Add(4*time.Minute+time.Duration(i)*time.Second))
				require.Equal(t, factor.ErrInvalidCode, err)
			}
			assert.Zero(t, e.count(factor.EventLocked), "failures naming Alice's handle never lock her")
			second, err := e.p.BeginLogin(ctx, "alice", t0.Add(5*time.Minute))
			require.NoError(t, err)
			_, err = e.p.FinishLogin(ctx, "alice", alice.get(t, second.Options), t0.Add(5*time.Minute))
			require.NoError(t, err, "Alice still logs in as a second step")

			require.NoError(t, e.m.Forget(ctx, "alice", "admin", t0.Add(6*time.Minute)))
			_, err = finish(alice, t0.Add(7*time.Minute))
			assert.Equal(t, factor.ErrInvalidCode, err, "a forgotten user's passkey finds nobody")
			var n int
			require.NoError(t, e.db.QueryRow(`SELECT count(*) FROM twostep_user_handles WHERE user_id = $1`, "alice").Scan(&n))
			assert.Zero(t, n, "Forget deleted Alice's handle")
			require.NoError(t, e.db.QueryRow(`SELECT count(*) FROM twostep_user_handles`).Scan(&n))
			assert.Equal(t, 1, n, "Bob's handle is left")
			login, err = finish(bob, t0.Add(8*time.Minute))
			require.NoError(t, err)
			assert.Equal(t, "bob", login.UserID)
		})
	}
}
