package factor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ChallengeRequest asks for a code to be delivered.
type ChallengeRequest struct {
	// UserID is the user to challenge. Required.
	UserID string
	// EnrollmentID is the phone number or email address to send to.
	EnrollmentID string
	// Language is the user's language preference, a BCP 47 tag or an
	// Accept-Language header value such as "nl-BE,nl;q=0.9".
	Language string
	// Keypad asks for a voice call in which the user types the digits the
	// screen shows, instead of a call that reads a code out.
	Keypad bool
	// Link is the token of the link mailed to confirm a change of phone
	// number (Policy.ChangeByEmail), from the query parameter "token" of
	// the link's page. It is needed once, for the first code to the new
	// number; with it, EnrollmentID may be left empty.
	Link string
}

// Sent describes a delivered code, for the host's page. It holds nothing
// secret except, in keypad mode, the digits the screen must show.
type Sent struct {
	// ChallengeID is what the host keeps in its session and passes back in
	// Attempt.ChallengeID.
	ChallengeID string
	// EnrollmentID is the enrollment the code went to, which a Challenge
	// with only ChallengeRequest.Link did not name.
	EnrollmentID string
	// Kind is the channel the code went out on.
	Kind Kind
	// Masked is where the code went, masked for the page as the factor
	// shows it (see Masker).
	Masked string
	// ExpiresAt is when the code stops being accepted.
	ExpiresAt time.Time
	// ResendAt is the earliest time Resend is allowed.
	ResendAt time.Time
	// ScreenDigits are the digits to show on screen in voice keypad mode.
	ScreenDigits string
}

// Challenge generates a code for one of the user's phone numbers or email
// addresses, stores only its keyed hash and sends it. Within
// Codes.ResendAfter of the last code sent to the same enrollment it is
// refused with a *RateLimitError (scope "resend"), like Resend. Over a
// send budget it returns a *RateLimitError, sends nothing and charges
// nothing. A failed send returns an error wrapping ErrDelivery; a send
// the provider certainly refused costs nothing and leaves the user's
// previous code valid, any other failure leaves no usable code behind.
func (m *Manager) Challenge(ctx context.Context, req ChallengeRequest, now time.Time) (*Sent, error) {
	if err := checkUserID(req.UserID); err != nil {
		return nil, err
	}
	if err := checkID("enrollment", req.EnrollmentID); err != nil {
		return nil, err
	}
	if req.Link != "" {
		if err := m.redeemLink(ctx, &req, now); err != nil {
			return nil, err
		}
	}
	e, ch, err := m.challengeable(ctx, req.UserID, req.EnrollmentID, now)
	if err != nil {
		return nil, err
	}
	keypad, err := m.keypadMode(e.Kind, req.Keypad)
	if err != nil {
		return nil, err
	}
	id, err := m.newID()
	if err != nil {
		return nil, err
	}
	c := &Challenge{ID: id, UserID: e.UserID, EnrollmentID: e.ID, Kind: e.Kind, Keypad: keypad}
	return m.deliver(ctx, ch, e, c, req.Language, now, true)
}

// Resend sends a new code for an existing challenge; the new code replaces
// the old one. It is refused with a *RateLimitError before
// Codes.ResendAfter has passed since the last send, and whenever a send
// budget is spent. Resending never resets the user's failure count.
func (m *Manager) Resend(ctx context.Context, userID, challengeID, lang string, now time.Time) (*Sent, error) {
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	if err := checkID("challenge", challengeID); err != nil {
		return nil, err
	}
	c, err := m.userChallenge(ctx, userID, challengeID)
	if err != nil {
		return nil, err
	}
	if !c.UsedAt.IsZero() {
		return nil, fmt.Errorf("%w: challenge already used", ErrInvalidCode)
	}
	if wait := c.SentAt.Add(m.cfg.Codes.ResendAfter).Sub(now); wait > 0 {
		return nil, &RateLimitError{Scope: "resend", RetryAfter: wait}
	}
	e, ch, err := m.challengeable(ctx, userID, c.EnrollmentID, now)
	if err != nil {
		return nil, err
	}
	return m.deliver(ctx, ch, e, c, lang, now, false)
}

// challengeable loads an enrollment that may receive a code.
func (m *Manager) challengeable(ctx context.Context, userID, enrollmentID string, now time.Time) (*Enrollment, Challenger, error) {
	e, err := m.enrollment(ctx, userID, enrollmentID)
	if err != nil {
		return nil, nil, fmt.Errorf("factor: challenge: %w", err)
	}
	ch, ok := m.factors[e.Kind].(Challenger)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q does not deliver codes", ErrUnknownKind, e.Kind)
	}
	if !e.Confirmed && !e.Pending(now) {
		return nil, nil, fmt.Errorf("factor: challenge: %w", ErrNotFound)
	}
	if err := m.checkEmailPolicy(ctx, userID, e.Kind, now); err != nil {
		return nil, nil, err
	}
	if err := m.linkOpened(ctx, e); err != nil {
		return nil, nil, err
	}
	return e, ch, nil
}

// deliver puts a fresh code on c, stores it and sends it. The send is
// charged to the budgets and the resend cooldown first, all or nothing.
// When the provider certainly did not take the message, the charges are
// refunded and c keeps the code it had, so the user can still use the
// previous code and try again at once; when it may have been delivered
// (a timeout, a lost connection), c is burnt, so that no code is usable
// that nobody can be sure about.
func (m *Manager) deliver(ctx context.Context, ch Challenger, e *Enrollment, c *Challenge, lang string, now time.Time, create bool) (*Sent, error) {
	charged, err := m.spend(ctx, e, now)
	if err != nil {
		return nil, err
	}
	n := m.cfg.Codes.Digits
	if c.Keypad {
		n = m.cfg.Codes.KeypadDigits
	}
	code, err := RandomDigits(m.rand, n)
	if err != nil {
		m.refund(ctx, charged, now)
		return nil, err
	}
	before := *c
	c.CodeHash = m.sealer.MAC("challenge", c.UserID, challengeData(c.ID, code))
	c.Tries, c.Sends, c.SentAt, c.ExpiresAt = 0, c.Sends+1, now, now.Add(m.codeTTL(e.Kind))
	c.ApprovedAt = time.Time{}   // a new code needs a new answer, also on the keypad
	c.Delivery = DeliveryUnknown // and has no receipt yet
	if create {
		err = m.store.CreateChallenge(ctx, c)
	} else if err = m.store.UpdateChallenge(ctx, c); errors.Is(err, ErrConflict) {
		m.refund(ctx, charged, now)
		return nil, &RateLimitError{Scope: "resend", RetryAfter: m.cfg.Codes.ResendAfter}
	}
	if err != nil {
		m.refund(ctx, charged, now)
		return nil, fmt.Errorf("factor: store challenge: %w", err)
	}
	if err := m.send(ctx, ch, e, c, code, lang, now); err != nil {
		m.undeliverable(ctx, c, before, create, charged, now, err)
		return nil, fmt.Errorf("%w: %w", ErrDelivery, err)
	}
	sent := &Sent{ChallengeID: c.ID, EnrollmentID: e.ID, Kind: c.Kind, Masked: m.info(e).Masked, ExpiresAt: c.ExpiresAt, ResendAt: now.Add(m.cfg.Codes.ResendAfter)}
	if c.Keypad {
		sent.ScreenDigits = code
	}
	return sent, nil
}

// undeliverable cleans up after a failed send. A message the provider
// certainly did not take costs nothing: the charges are refunded and a
// resent challenge gets its previous code back. Otherwise the code may
// have arrived, so the challenge is burnt and the charges stay. Either way
// no code is left usable that was not delivered for sure.
func (m *Manager) undeliverable(ctx context.Context, c *Challenge, before Challenge, create bool, charged []CounterWindow, now time.Time, err error) {
	ctx = context.WithoutCancel(ctx)
	m.log.LogAttrs(ctx, slog.LevelWarn, "twostep: send failed", slog.String("user", c.UserID), slog.String("kind", string(c.Kind)), slog.String("challenge", c.ID), slog.String("error", err.Error()))
	certain := notSent(err)
	if certain {
		m.refund(ctx, charged, now)
	}
	if certain && !create {
		before.Version = c.Version
		*c = before
	} else {
		c.UsedAt = now
	}
	if uerr := m.store.UpdateChallenge(ctx, c); uerr != nil {
		m.log.Error("twostep: could not settle the challenge after a failed send", "challenge", c.ID, "error", uerr.Error())
	}
}

// send composes the message and sends it within Codes.SendTimeout.
func (m *Manager) send(ctx context.Context, ch Challenger, e *Enrollment, c *Challenge, code, lang string, now time.Time) error {
	msg, err := ch.Compose(e, c, code, lang)
	if err != nil {
		return err
	}
	msg.Kind, msg.To, msg.Code, msg.Keypad, msg.ChallengeID, msg.Send, msg.SentAt, msg.ExpiresAt = e.Kind, e.Address, code, c.Keypad, c.ID, c.Sends, now, c.ExpiresAt
	sctx, cancel := context.WithTimeout(ctx, m.cfg.Codes.SendTimeout)
	defer cancel()
	if err := m.cfg.Sender.Send(sctx, msg); err != nil {
		return err
	}
	m.emit(ctx, Event{Type: EventChallengeSent, UserID: c.UserID, EnrollmentID: e.ID, Kind: e.Kind, Time: now, Actor: c.UserID})
	return nil
}

func (m *Manager) codeTTL(k Kind) time.Duration {
	if k == KindEmail {
		return m.cfg.Codes.EmailTTL
	}
	return m.cfg.Codes.TTL
}

// challengeData binds a code to the challenge it was sent for.
func challengeData(challengeID, code string) []byte {
	b := make([]byte, 0, len(challengeID)+1+len(code))
	b = append(b, challengeID...)
	b = append(b, 0)
	return append(b, code...)
}

// userChallenge loads a challenge and hides other users' challenges.
func (m *Manager) userChallenge(ctx context.Context, userID, id string) (*Challenge, error) {
	c, err := m.store.GetChallenge(ctx, id)
	if err == nil && c.UserID != userID {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("factor: challenge: %w", err)
	}
	return c, nil
}
