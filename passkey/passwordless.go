package passkey

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/twostep/twostep/factor"
)

// PasswordlessAssertion is a begun passwordless login.
type PasswordlessAssertion struct {
	// Options is the JSON for navigator.credentials.get, with no allowed
	// credentials (the browser offers the user's discoverable passkeys)
	// and user verification required. Pass mediation "conditional" to
	// the browser beside it for autofill.
	Options json.RawMessage
	// Ceremony is the ceremony's session data, sealed under the
	// Manager's key: keep it in the host's server-side session and pass
	// it to FinishPasswordless. It holds nothing secret, but only this
	// server can make or open it, and a changed one does not open.
	Ceremony string
}

// ceremonyAD binds sealed passwordless ceremonies to their purpose.
var ceremonyAD = []byte("twostep passkey passwordless ceremony v1")

// BeginPasswordless begins a passwordless login: no user is known yet. The
// ceremony's session data is sealed and handed to the host rather than
// stored, so that anonymous requests cannot fill the store; it is still
// single use, because the credential that answers it records its challenge
// until the ceremony expires.
func (p *Passkeys) BeginPasswordless(ctx context.Context, now time.Time) (*PasswordlessAssertion, error) {
	if !p.cfg.Passwordless {
		return nil, fmt.Errorf("passkey: passwordless login is off: %w", factor.ErrNotAllowed)
	}
	assertion, session, err := p.wa.BeginDiscoverableMediatedLogin(protocol.MediationConditional,
		webauthnUV(VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("passkey: begin passwordless login: %w", err)
	}
	c := ceremony{Type: ceremonyPasswordless, Session: *session, ExpiresAt: now.Add(p.cfg.CeremonyTTL)}
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("passkey: ceremony: %w", err)
	}
	sealed, err := p.x.Sealer().Seal(plain, ceremonyAD)
	if err != nil {
		return nil, fmt.Errorf("passkey: seal ceremony: %w", err)
	}
	opts, err := options(assertion)
	if err != nil {
		return nil, err
	}
	return &PasswordlessAssertion{Options: opts, Ceremony: base64.RawURLEncoding.EncodeToString(sealed)}, nil
}

// PasswordlessRequest is the browser's answer to a passwordless login.
type PasswordlessRequest struct {
	// Ceremony is PasswordlessAssertion.Ceremony, from the host's session.
	Ceremony string
	// Response is the JSON of the PublicKeyCredential.
	Response []byte
	// Client identifies the client for throttling, such as its IP
	// address. Empty shares one budget among all clients without one.
	Client string
}

// PasswordlessLogin is a passed passwordless login.
type PasswordlessLogin struct {
	// UserID is the host's identifier of the user who logged in.
	UserID string
	// Result names the passkey used.
	Result factor.Result
}

// FinishPasswordless checks the browser's response to a passwordless
// login and returns the user it names. The passkey verified the user (a PIN
// or biometric) on a device the user holds, which the host may count as
// both steps of two-step verification; see the package documentation.
//
// A failure never counts against the lockout of the user whom the response
// names, since anybody can name any user handle: attempts are throttled per
// client and per credential instead (Config.PasswordlessLimit), with a
// *factor.RateLimitError of scope "passkey client" or "passkey
// credential". An unknown user handle, an unknown credential, a signature
// that does not verify and a replayed response are all
// factor.ErrInvalidCode alike, so a refusal does not tell whether the user
// exists.
func (p *Passkeys) FinishPasswordless(ctx context.Context, req PasswordlessRequest, now time.Time) (PasswordlessLogin, error) {
	if !p.cfg.Passwordless {
		return PasswordlessLogin{}, fmt.Errorf("passkey: passwordless login is off: %w", factor.ErrNotAllowed)
	}
	if err := p.x.CheckText("client", req.Client, 255); err != nil {
		return PasswordlessLogin{}, err
	}
	parsed, err := parseAssertion(req.Response)
	if err != nil {
		return PasswordlessLogin{}, err
	}
	c, err := p.openCeremony(req.Ceremony)
	if err != nil {
		return PasswordlessLogin{}, err
	}
	if err := p.throttle(ctx, "client", []byte(req.Client), now); err != nil {
		return PasswordlessLogin{}, err
	}
	if err := p.throttle(ctx, "credential", parsed.RawID, now); err != nil {
		return PasswordlessLogin{}, err
	}
	if !now.Before(c.ExpiresAt) {
		return PasswordlessLogin{}, fmt.Errorf("%w: ceremony expired", factor.ErrInvalidCode)
	}
	e, err := p.passwordless(ctx, c, parsed, now)
	if errors.Is(err, factor.ErrInvalidCode) {
		// One answer for every refusal, so that none tells whether the
		// user handle names a user.
		return PasswordlessLogin{}, factor.ErrInvalidCode
	}
	if err != nil {
		return PasswordlessLogin{}, err
	}
	p.x.Emit(ctx, factor.Event{Type: factor.EventVerified, UserID: e.UserID, EnrollmentID: e.ID, Kind: Kind, Time: now, Actor: e.UserID, Reason: "passwordless"})
	return PasswordlessLogin{UserID: e.UserID, Result: factor.Result{EnrollmentID: e.ID, Kind: Kind}}, nil
}

// ceremonyPasswordless is the type of a passwordless ceremony.
const ceremonyPasswordless = "passwordless"

// openCeremony opens a sealed passwordless ceremony. One that does not
// open is malformed: it did not come from BeginPasswordless.
func (p *Passkeys) openCeremony(s string) (*ceremony, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > maxResponse {
		return nil, &factor.InputError{Field: "ceremony", Reason: "not a passwordless ceremony"}
	}
	plain, err := p.x.Sealer().Open(sealed, ceremonyAD)
	if err != nil {
		return nil, &factor.InputError{Field: "ceremony", Reason: "not a passwordless ceremony"}
	}
	var c ceremony
	if err := json.Unmarshal(plain, &c); err != nil || c.Type != ceremonyPasswordless {
		return nil, &factor.InputError{Field: "ceremony", Reason: "not a passwordless ceremony"}
	}
	return &c, nil
}

// throttle counts one passwordless attempt against the budget of the
// client or credential it names, keyed by a keyed hash of the name.
func (p *Passkeys) throttle(ctx context.Context, scope string, name []byte, now time.Time) error {
	window := p.cfg.PasswordlessWindow
	start := now.Truncate(window)
	key := "passkey:" + scope + ":" + strconv.FormatInt(start.Unix(), 10) + ":" +
		base64.RawURLEncoding.EncodeToString(p.x.Sealer().Digest("twostep passkey throttle "+scope, name))
	n, err := p.x.Store().IncrementCounter(ctx, key, now, start.Add(window))
	if err != nil {
		return fmt.Errorf("passkey: count attempt: %w", err)
	}
	if n > int64(p.cfg.PasswordlessLimit) {
		return &factor.RateLimitError{Scope: "passkey " + scope, RetryAfter: start.Add(window).Sub(now)}
	}
	return nil
}

// passwordless finds the user by the response's user handle and checks the
// assertion against the credential, which must not have answered the
// ceremony's challenge before; the challenge is recorded with the new
// signature counter in one compare-and-swap.
func (p *Passkeys) passwordless(ctx context.Context, c *ceremony, parsed *protocol.ParsedCredentialAssertionData, now time.Time) (*factor.Enrollment, error) {
	handle := parsed.Response.UserHandle
	if len(handle) == 0 || len(handle) > 64 {
		return nil, fmt.Errorf("%w: no user handle", factor.ErrInvalidCode)
	}
	userID, err := p.x.Store().(factor.HandleStore).UserByHandle(ctx, handle)
	if lost(err) {
		return nil, fmt.Errorf("%w: unknown user handle", factor.ErrInvalidCode)
	}
	if err != nil {
		return nil, fmt.Errorf("passkey: find user: %w", err)
	}
	k, err := p.passkeys(ctx, userID, true)
	if err != nil {
		return nil, err
	}
	i := k.find(parsed.RawID)
	if i < 0 {
		return nil, fmt.Errorf("%w: unknown credential", factor.ErrInvalidCode)
	}
	e, st := k.all[i], k.states[i]
	challenge := c.Session.Challenge
	st.Used = slices.DeleteFunc(st.Used, func(u usedChallenge) bool { return !now.Before(u.ExpiresAt) })
	if slices.ContainsFunc(st.Used, func(u usedChallenge) bool { return u.Challenge == challenge }) {
		return nil, fmt.Errorf("%w: ceremony already finished", factor.ErrInvalidCode)
	}
	session := c.Session
	session.Expires = time.Time{} // expiry is checked by the caller, by the server's clock
	session.UserID = st.Handle
	if err := p.validate(ctx, e, st, &user{handle: st.Handle, creds: k.credentials()}, session, parsed, now); err != nil {
		return nil, err
	}
	st.Used = append(st.Used, usedChallenge{Challenge: challenge, ExpiresAt: c.ExpiresAt})
	e.LastUsedAt = now
	if err := writeState(e, st); err != nil {
		return nil, err
	}
	if err := p.x.Store().UpdateEnrollment(ctx, e); lost(err) {
		return nil, fmt.Errorf("%w: ceremony already finished", factor.ErrInvalidCode)
	} else if err != nil {
		return nil, fmt.Errorf("passkey: save enrollment: %w", err)
	}
	return e, nil
}
