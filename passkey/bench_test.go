package passkey_test

import (
	"context"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/passkey"
)

// BenchmarkFinishLogin measures a second step with a passkey through
// Passkeys.FinishLogin (parse, count the attempt, read the enrollments,
// validate, save with compare-and-swap, reset the failures, emit the
// event) beside go-webauthn alone (parse and ValidateLogin), in the same
// loop: each iteration times one of each on a fresh response, in turns
// going first, so that a busy machine slows both alike. It reports both durations and their
// ratio, the figure the README gives. Beginning the ceremonies and signing
// are outside the timed parts. The Manager has its defaults (no logger,
// no event sink), as the comparison is of the work twostep adds.
func BenchmarkFinishLogin(b *testing.B) {
	ctx := context.Background()
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{passkey.Factor{}},
		Keys: []factor.ServerKey{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}}})
	require.NoError(b, err)
	p, err := passkey.New(m, passkey.Config{RPID: rp.ID, Origins: []string{origin}})
	require.NoError(b, err)
	e := &env{m: m, p: p}
	d := newDevice(virtualwebauthn.AuthenticatorOptions{})
	e.register(b, "alice", d, t0)

	wa, err := webauthn.New(&webauthn.Config{RPID: rp.ID, RPDisplayName: "Example", RPOrigins: []string{origin}})
	require.NoError(b, err)
	alone := newDevice(virtualwebauthn.AuthenticatorOptions{})
	u := &benchUser{handle: []byte("0123456789abcdef0123456789abcdef")}
	creation, session, err := wa.BeginRegistration(u)
	require.NoError(b, err)
	opts, err := jsonOf(creation)
	require.NoError(b, err)
	parsedReg, err := protocol.ParseCredentialCreationResponseBytes(alone.create(b, rp, opts))
	require.NoError(b, err)
	cred, err := wa.CreateCredential(u, *session, parsedReg)
	require.NoError(b, err)
	u.creds = []webauthn.Credential{*cred}

	var twostep, library time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		now := t0.Add(time.Duration(i) * time.Second)
		a, err := p.BeginLogin(ctx, "alice", now)
		require.NoError(b, err)
		resp := d.get(b, rp, a.Options)
		assertion, session, err := wa.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationDiscouraged))
		require.NoError(b, err)
		opts, err := jsonOf(assertion)
		require.NoError(b, err)
		respAlone := alone.get(b, rp, opts)
		b.StartTimer()

		finish := func() {
			start := time.Now()
			if _, err := p.FinishLogin(ctx, "alice", resp, now); err != nil {
				b.Fatal(err)
			}
			twostep += time.Since(start)
		}
		validate := func() {
			start := time.Now()
			parsed, err := protocol.ParseCredentialRequestResponseBytes(respAlone)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := wa.ValidateLogin(u, *session, parsed); err != nil {
				b.Fatal(err)
			}
			library += time.Since(start)
		}
		if i%2 == 0 { // each goes first half the time: the first pays for the garbage of the untimed part
			finish()
			validate()
		} else {
			validate()
			finish()
		}
	}
	b.ReportMetric(float64(twostep.Nanoseconds())/float64(b.N), "passkey-ns/op")
	b.ReportMetric(float64(library.Nanoseconds())/float64(b.N), "go-webauthn-ns/op")
	b.ReportMetric(float64(twostep)/float64(library), "ratio")
}

type benchUser struct {
	handle []byte
	creds  []webauthn.Credential
}

func (u *benchUser) WebAuthnID() []byte                         { return u.handle }
func (u *benchUser) WebAuthnName() string                       { return "alice" }
func (u *benchUser) WebAuthnDisplayName() string                { return "Alice" }
func (u *benchUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }
