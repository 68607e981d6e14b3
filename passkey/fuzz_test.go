package passkey_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/passkey"
)

// FuzzFinish feeds arbitrary bytes to the three finish methods, the inputs
// a browser controls. None may panic, and every refusal must be one of the
// errors a host branches on.
func FuzzFinish(f *testing.F) {
	ctx := context.Background()
	e := newEnv(f, passkey.Config{Passwordless: true, PasswordlessLimit: 1 << 30})
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	reg, err := e.p.BeginRegistration(ctx, passkey.RegistrationRequest{UserID: "alice", Label: "Key"}, t0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(d.create(f, rp, reg.Options), "")
	a, err := e.p.BeginPasswordless(ctx, t0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{}}`), a.Ceremony)
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AA","signature":"AA"}}`), a.Ceremony)
	f.Fuzz(func(t *testing.T, response []byte, ceremony string) {
		_, err := e.p.FinishRegistration(ctx, "alice", reg.EnrollmentID, response, t0)
		requireKnown(t, err)
		_, err = e.p.FinishLogin(ctx, "alice", response, t0)
		requireKnown(t, err)
		_, err = e.p.FinishPasswordless(ctx, passkey.PasswordlessRequest{Ceremony: ceremony, Response: response}, t0.Add(time.Second))
		requireKnown(t, err)
	})
}

func requireKnown(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, known := range []error{factor.ErrMalformed, factor.ErrInvalidCode, factor.ErrLocked, factor.ErrRateLimited, passkey.ErrNoPasskey} {
		if errors.Is(err, known) {
			return
		}
	}
	require.Fail(t, "unexpected error", "%v", err)
}
