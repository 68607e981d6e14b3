package passkey_test

import (
	"context"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/passkey"
)

// BenchmarkFinishLogin measures a second step with a passkey through
// Passkeys.FinishLogin (parse, count the attempt, read the enrollments,
// validate, save with compare-and-swap, reset the failures, emit the
// event) beside go-webauthn alone (parse and ValidateLogin) on the same
// kind of response. Beginning a ceremony and signing are outside the
// timed part.
func BenchmarkFinishLogin(b *testing.B) {
	b.Run("passkey", func(b *testing.B) {
		ctx := context.Background()
		e := newEnv(b, passkey.Config{})
		d := newDevice(virtualwebauthn.AuthenticatorOptions{})
		e.register(b, "alice", d, t0)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			now := t0.Add(time.Duration(i) * time.Second)
			a, err := e.p.BeginLogin(ctx, "alice", now)
			require.NoError(b, err)
			resp := d.get(b, rp, a.Options)
			b.StartTimer()
			if _, err := e.p.FinishLogin(ctx, "alice", resp, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-webauthn", func(b *testing.B) {
		wa, err := webauthn.New(&webauthn.Config{RPID: rp.ID, RPDisplayName: "Example", RPOrigins: []string{origin}})
		require.NoError(b, err)
		d := newDevice(virtualwebauthn.AuthenticatorOptions{})
		u := &benchUser{handle: []byte("0123456789abcdef0123456789abcdef")}
		creation, session, err := wa.BeginRegistration(u)
		require.NoError(b, err)
		opts, err := jsonOf(creation)
		require.NoError(b, err)
		parsedReg, err := protocol.ParseCredentialCreationResponseBytes(d.create(b, rp, opts))
		require.NoError(b, err)
		cred, err := wa.CreateCredential(u, *session, parsedReg)
		require.NoError(b, err)
		u.creds = []webauthn.Credential{*cred}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			assertion, session, err := wa.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationDiscouraged))
			require.NoError(b, err)
			opts, err := jsonOf(assertion)
			require.NoError(b, err)
			resp := d.get(b, rp, opts)
			b.StartTimer()
			parsed, err := protocol.ParseCredentialRequestResponseBytes(resp)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := wa.ValidateLogin(u, *session, parsed); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type benchUser struct {
	handle []byte
	creds  []webauthn.Credential
}

func (u *benchUser) WebAuthnID() []byte                         { return u.handle }
func (u *benchUser) WebAuthnName() string                       { return "alice" }
func (u *benchUser) WebAuthnDisplayName() string                { return "Alice" }
func (u *benchUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }
