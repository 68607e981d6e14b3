package passkey_test

import (
	"bytes"
	"context"
	"encoding/json"
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
// event) beside go-webauthn alone (protocol.ParseCredentialRequestResponseBody
// and ValidateLogin) on the same bytes: each iteration's one response is
// checked by both, go-webauthn with the same credential, user handle and
// session data as the ceremony twostep began. Both are timed in the same
// loop, in turns going first, so that a busy machine slows both alike. It
// reports both durations and their ratio, the figure the README gives.
// Beginning the ceremony and signing are outside the timed parts. The
// Manager has its defaults (no logger, no event sink), as the comparison
// is of the work twostep adds.
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
	u := &benchUser{handle: d.auth.Options.UserHandle, creds: []webauthn.Credential{{ID: d.cred.ID, PublicKey: d.cred.Key.AttestationData()}}}

	var twostep, library time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		now := t0.Add(time.Duration(i) * time.Second)
		a, err := p.BeginLogin(ctx, "alice", now)
		require.NoError(b, err)
		resp := d.get(b, rp, a.Options)
		session := webauthn.SessionData{Challenge: challengeOf(b, a.Options), RelyingPartyID: rp.ID, UserID: u.handle,
			AllowedCredentialIDs: [][]byte{d.cred.ID}, UserVerification: protocol.VerificationDiscouraged}
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
			parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(resp))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := wa.ValidateLogin(u, session, parsed); err != nil {
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

// challengeOf returns the challenge of login options, as go-webauthn's
// session data keeps it.
func challengeOf(b *testing.B, options []byte) string {
	var o struct{ PublicKey struct{ Challenge string } }
	require.NoError(b, json.Unmarshal(options, &o))
	return o.PublicKey.Challenge
}

type benchUser struct {
	handle []byte
	creds  []webauthn.Credential
}

func (u *benchUser) WebAuthnID() []byte                         { return u.handle }
func (u *benchUser) WebAuthnName() string                       { return "alice" }
func (u *benchUser) WebAuthnDisplayName() string                { return "Alice" }
func (u *benchUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }
