package passkey_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/passkey"
)

// TestNothingSecretLogged runs every ceremony, passing and failing, and
// checks that no challenge, key or user handle reaches the log or an
// error.
func TestNothingSecretLogged(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, passkey.Config{Passwordless: true})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	var secrets []string
	challenge := func(opts json.RawMessage) {
		var o struct{ PublicKey struct{ Challenge string } }
		require.NoError(t, json.Unmarshal(opts, &o))
		secrets = append(secrets, o.PublicKey.Challenge)
	}
	var errs []error
	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Key"}, t0)
	require.NoError(t, err)
	challenge(reg.Options)
	_, err = e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, d.create(t, virtualwebauthn.RelyingParty{ID: rp.ID, Origin: "https://evil.example.net"}, reg.Options), t0)
	errs = append(errs, err)
	_, err = e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, d.create(t, rp, reg.Options), t0)
	require.NoError(t, err)
	secrets = append(secrets, base64.RawURLEncoding.EncodeToString(d.auth.Options.UserHandle), base64.StdEncoding.EncodeToString(d.auth.Options.UserHandle))

	a, err := e.p.BeginLogin(ctx, "alice", t0)
	require.NoError(t, err)
	challenge(a.Options)
	bad := d.get(t, virtualwebauthn.RelyingParty{ID: "evil.example.net", Origin: origin}, a.Options)
	_, err = e.p.FinishLogin(ctx, "alice", bad, t0)
	errs = append(errs, err)
	_, err = e.p.FinishLogin(ctx, "alice", d.get(t, rp, a.Options), t0.Add(time.Second))
	require.NoError(t, err)

	pl, err := e.p.BeginPasswordless(ctx, t0)
	require.NoError(t, err)
	challenge(pl.Options)
	_, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: pl.Ceremony, Response: d.get(t, rp, pl.Options)}, t0.Add(time.Second))
	require.NoError(t, err)

	logged := e.log.String()
	require.NotEmpty(t, logged)
	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.NotContains(t, logged, s)
		for _, err := range errs {
			require.Error(t, err)
			assert.NotContains(t, err.Error(), s)
		}
	}
}
