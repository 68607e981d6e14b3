package factor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Errors of a change of phone number confirmed by email (see ChangeByEmail).
var (
	// ErrLinkRequired means a code may go to the new phone number only
	// after the user opened the link mailed to the account's address:
	// Challenge needs ChallengeRequest.Link once. It counts nothing.
	ErrLinkRequired = fmt.Errorf("%w: open the link mailed to the account first", ErrNotAllowed)
	// ErrLinkInvalid means the link was wrong, expired, already used or
	// another user's. The cases are deliberately indistinguishable; each
	// counts as a failed attempt, like a wrong code.
	ErrLinkInvalid = fmt.Errorf("%w: the change link is not valid", ErrInvalidCode)
	// ErrNoAccountEmail means a phone number cannot be changed while
	// ChangeByEmail is on because the account has no email address to
	// mail the link to.
	ErrNoAccountEmail = fmt.Errorf("%w: the account has no email address for the change link", ErrNotAllowed)
)

// ChangeByEmail has a change of phone number confirmed by email first, as
// some services ask: when the user replaces a number (Enroll with
// Replaces naming an SMS or voice enrollment), the Manager mails a
// one-time link to the account's address (Accounts), and no
// code goes to the new number until the user has opened it. The link's
// page passes the token to Challenge (ChallengeRequest.Link), which sends
// the first code; Confirm then completes the change as usual. The old
// number keeps working until the new one is confirmed.
//
// The link carries a random token; the Store keeps only its keyed hash,
// bound to the user and the pending enrollment, as a Challenge of kind
// email whose ID is the enrollment's with ".link" added, so stores need
// nothing new: Prune removes it with the expired challenges and Forget
// with the user's. The token is accepted once, before its TTL ends.
//
// It covers replacing a number. Adding a number beside the others (and
// then removing the old one) needs a fresh second step like adding any
// method, but no link: a host that wants the account's owner to hear of
// every new number sets Config.Notifier (email.Notices mails the user of
// each method added or removed).
type ChangeByEmail struct {
	// URL is the host's page that takes the link: an absolute https URL
	// (http only for localhost) without a fragment. The mailed link is URL
	// with the token in the query parameter "token". Empty switches the
	// policy off. It needs Accounts and an email factor that implements
	// LinkComposer; the email kind need not be on offer.
	URL string
	// Accounts looks up the account's address the link goes to. Nil means
	// Config.AccountEmails. Set apart from it, it sends links without
	// making the account's address anyone's implicit method.
	Accounts AccountEmails
	// TTL is how long the link stays valid. Zero means one hour; at most
	// 24 hours. The new number then waits Config.PendingTTL more for its
	// code, so that a link opened late still leaves time to type it.
	TTL time.Duration
}

// ChangeLink is the mail asking a user to confirm a new phone number, as
// a LinkComposer writes it. URL holds the token and is secret.
type ChangeLink struct {
	// URL is the link with its one-time token.
	URL string
	// Masked is the new number, masked as pages show it.
	Masked string
	// SentAt is when the link is sent.
	SentAt time.Time
	// ExpiresAt is when the link stops being accepted.
	ExpiresAt time.Time
}

// LinkComposer is implemented by a factor that writes the mail of a
// ChangeLink to the account's address to, in the supported language that
// best matches lang, such as the email package's Factor. The message must
// not name the whole new number.
type LinkComposer interface {
	ComposeLink(to string, l ChangeLink, lang string) (Message, error)
}

// The names of the link's parts.
const (
	linkParam  = "token"
	linkSuffix = ".link"
	maxLink    = 2*maxID + 1
)

func (c ChangeByEmail) withDefaults(accounts AccountEmails) ChangeByEmail {
	c.TTL = orDur(c.TTL, time.Hour)
	if c.Accounts == nil {
		c.Accounts = accounts
	}
	return c
}

// validateChangeByEmail refuses a ChangeByEmail the Manager cannot honour.
func (m *Manager) validateChangeByEmail() error {
	c := m.cfg.Policy.ChangeByEmail
	if c.URL == "" {
		return nil
	}
	field := func(reason string) error { return &ConfigError{Field: "Policy.ChangeByEmail.URL", Reason: reason} }
	u, err := url.Parse(c.URL)
	local := err == nil && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback())
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.Fragment != "":
		return field("must be an absolute URL without user or fragment")
	case u.Scheme != "https" && !(u.Scheme == "http" && local):
		return field("must be https (http only for localhost)")
	case c.Accounts == nil:
		return field("needs Accounts or Config.AccountEmails")
	case c.TTL <= 0 || c.TTL > 24*time.Hour:
		return &ConfigError{Field: "Policy.ChangeByEmail.TTL", Reason: "must be positive and at most 24 hours"}
	}
	if _, ok := m.factors[KindEmail].(LinkComposer); !ok {
		return field("needs an email factor that implements factor.LinkComposer")
	}
	return nil
}

// needsLink reports whether e is a change of phone number that waits for
// its link: ChangeByEmail is on and e is a pending SMS or voice enrollment
// that replaces another. It is decided from e alone, so that a lost or
// missing link record refuses codes rather than skipping the link.
func (m *Manager) needsLink(e *Enrollment) bool {
	return m.cfg.Policy.ChangeByEmail.URL != "" && !e.Confirmed && e.Replaces != "" &&
		(e.Kind == KindSMS || e.Kind == KindVoice)
}

// pendingTTL is how long a new enrollment like e waits for its first
// code: a change of number waits for its link too.
func (m *Manager) pendingTTL(e *Enrollment) time.Duration {
	if m.needsLink(e) {
		return m.cfg.PendingTTL + m.cfg.Policy.ChangeByEmail.TTL
	}
	return m.cfg.PendingTTL
}

// mailChangeLink mails the link that confirms e, a stored new phone number,
// to the account's address, when e needs one, and returns the address
// masked; "" when e needs none. The mail is charged to the send budgets
// like any email. When anything fails, e is removed again: a change whose
// link did not go out leaves nothing usable behind.
func (m *Manager) mailChangeLink(ctx context.Context, e *Enrollment, lang string, now time.Time) (string, error) {
	if !m.needsLink(e) {
		return "", nil
	}
	masked, err := m.sendChangeLink(ctx, e, lang, now)
	if err != nil {
		if derr := m.store.DeleteEnrollment(context.WithoutCancel(ctx), e.UserID, e.ID); derr != nil && !errors.Is(derr, ErrNotFound) {
			m.log.Error("twostep: could not remove a change of number whose link did not go out", "user", e.UserID, "enrollment", e.ID, "error", derr.Error())
		}
		return "", err
	}
	return masked, nil
}

func (m *Manager) sendChangeLink(ctx context.Context, e *Enrollment, lang string, now time.Time) (string, error) {
	addr, err := m.cfg.Policy.ChangeByEmail.Accounts.AccountEmail(ctx, e.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && addr == "") {
		return "", ErrNoAccountEmail
	}
	if err != nil {
		return "", fmt.Errorf("factor: account email: %w", err)
	}
	secret, err := m.newID()
	if err != nil {
		return "", err
	}
	c := &Challenge{ID: e.ID + linkSuffix, UserID: e.UserID, EnrollmentID: e.ID, Kind: KindEmail, Sends: 1, SentAt: now, ExpiresAt: e.ExpiresAt}
	c.CodeHash = m.sealer.MAC("change link", e.UserID, challengeData(c.ID, secret))
	link := ChangeLink{URL: m.linkURL(e.ID + "." + secret), Masked: m.info(e).Masked, SentAt: now, ExpiresAt: now.Add(m.cfg.Policy.ChangeByEmail.TTL)}
	msg, err := m.factors[KindEmail].(LinkComposer).ComposeLink(addr, link, lang)
	if err != nil {
		return "", err
	}
	msg.Kind, msg.To, msg.Code, msg.ChallengeID, msg.SentAt, msg.ExpiresAt = KindEmail, addr, "", c.ID, now, link.ExpiresAt
	// The mail's budgets: the account's address is the host's, so it is
	// charged like a confirmed address; the cooldown is the link's own,
	// so that the first code to the new number is not held up by it.
	charged, err := m.spend(ctx, &Enrollment{ID: c.ID, UserID: e.UserID, Kind: KindEmail, Address: addr, Confirmed: true}, now)
	if err != nil {
		return "", err
	}
	if err := m.store.CreateChallenge(ctx, c); err != nil {
		m.refund(ctx, charged, now)
		return "", fmt.Errorf("factor: store change link: %w", err)
	}
	sctx, cancel := context.WithTimeout(ctx, m.cfg.Codes.SendTimeout)
	defer cancel()
	if err := m.cfg.Sender.Send(sctx, msg); err != nil {
		m.log.Warn("twostep: change link not sent", "user", e.UserID, "enrollment", e.ID, "error", err.Error())
		if notSent(err) {
			m.refund(ctx, charged, now)
		}
		// The mail may have arrived: its link must not open anything.
		c.UsedAt = now
		if uerr := m.store.UpdateChallenge(context.WithoutCancel(ctx), c); uerr != nil {
			m.log.Error("twostep: could not burn a change link that did not go out", "enrollment", e.ID, "error", uerr.Error())
		}
		return "", fmt.Errorf("%w: %w", ErrDelivery, err)
	}
	m.emit(ctx, Event{Type: EventChallengeSent, UserID: e.UserID, EnrollmentID: e.ID, Kind: KindEmail, Time: now, Actor: e.UserID, Reason: "change link"})
	return m.maskEmail(addr), nil
}

// linkURL is the page's URL with the token added.
func (m *Manager) linkURL(token string) string {
	u, _ := url.Parse(m.cfg.Policy.ChangeByEmail.URL) // checked by NewManager
	q := u.Query()
	q.Set(linkParam, token)
	u.RawQuery = q.Encode()
	return u.String()
}

func (m *Manager) maskEmail(addr string) string {
	return m.info(&Enrollment{Kind: KindEmail, Address: addr}).Masked
}

// linkOpened refuses a code for e while e waits for its link: unless the
// link was redeemed, the answer is ErrLinkRequired and counts nothing.
func (m *Manager) linkOpened(ctx context.Context, e *Enrollment) error {
	if !m.needsLink(e) {
		return nil
	}
	c, err := m.store.GetChallenge(ctx, e.ID+linkSuffix)
	if errors.Is(err, ErrNotFound) || (err == nil && (c.UserID != e.UserID || c.UsedAt.IsZero())) {
		return ErrLinkRequired
	}
	if err != nil {
		return fmt.Errorf("factor: change link: %w", err)
	}
	return nil
}

// redeemLink checks the token of a change link and uses it up, for the
// Challenge that sends the first code to the new number; it fills in
// req.EnrollmentID from the token.
//
// A wrong, expired, used or another user's token is a failed attempt of
// req.UserID, counted like a wrong code. Only the user's own session
// calls Challenge, and it did pass a second step to make the change, so
// guessing a token costs whoever holds that session, never someone who
// merely knows the user's address; and the cost is no more than the wrong
// codes the same session could type. Left uncounted, a session could
// guess tokens without limit.
func (m *Manager) redeemLink(ctx context.Context, req *ChallengeRequest, now time.Time) error {
	enrollmentID, secret, ok := strings.Cut(req.Link, ".")
	if len(req.Link) > maxLink || !ok || enrollmentID == "" || secret == "" || strings.ContainsAny(secret, ".") {
		return &InputError{Field: "link", Reason: "not a change link"}
	}
	if err := checkID("link", enrollmentID); err != nil {
		return err
	}
	if req.EnrollmentID == "" {
		req.EnrollmentID = enrollmentID
	}
	at := attempt{Answer: Answer{UserID: req.UserID}, now: now}
	at.names(req.EnrollmentID, "")
	return m.guard(ctx, &at, func() error {
		c, err := m.userChallenge(ctx, req.UserID, enrollmentID+linkSuffix)
		if errors.Is(err, ErrNotFound) || (err == nil && c.EnrollmentID != req.EnrollmentID) {
			return ErrLinkInvalid
		}
		if err != nil {
			return err
		}
		return m.useLink(ctx, c, secret, now)
	})
}

// useLink compares secret with the link's hash in constant time and marks
// the link used with compare-and-swap, so that of concurrent uses one
// wins. Every try counts against the link's Codes.Tries.
func (m *Manager) useLink(ctx context.Context, c *Challenge, secret string, now time.Time) error {
	for range maxCASRetries {
		if !c.UsedAt.IsZero() || !now.Before(c.SentAt.Add(m.cfg.Policy.ChangeByEmail.TTL)) || !now.Before(c.ExpiresAt) || c.Tries >= m.cfg.Codes.Tries {
			return ErrLinkInvalid
		}
		ok := m.sealer.CheckMAC(c.CodeHash, "change link", c.UserID, challengeData(c.ID, secret))
		c.Tries++
		if ok {
			c.UsedAt = now
		}
		err := m.store.UpdateChallenge(ctx, c)
		switch {
		case err == nil && ok:
			return nil
		case err == nil:
			return ErrLinkInvalid
		case !errors.Is(err, ErrConflict):
			return fmt.Errorf("factor: save change link: %w", err)
		}
		if c, err = m.store.GetChallenge(ctx, c.ID); err != nil {
			return fmt.Errorf("factor: reload change link: %w", err)
		}
	}
	return fmt.Errorf("factor: change link: %w", ErrConflict)
}
