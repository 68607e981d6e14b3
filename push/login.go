package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
)

// LoginRequest asks for a sign-in request on one of the user's phones.
type LoginRequest struct {
	// UserID is the user signing in. Required.
	UserID string
	// EnrollmentID is the user's push enrollment to ask. Required.
	EnrollmentID string
	// Language is the user's language preference for the notification.
	Language string
	// Context describes the sign-in for the app to show.
	Context Context
}

// ErrBlocked means pushes to the user are paused because the user denied
// one with "not me" a short while ago (Config.NotMeBlock). It wraps
// factor.ErrNotAllowed; the login page offers another method.
var ErrBlocked = fmt.Errorf("%w: sign-in requests to the phone app are paused after a denied request", factor.ErrNotAllowed)

// BlockedError is returned while pushes to a user are paused. It wraps
// ErrBlocked.
type BlockedError struct {
	// RetryAfter is how long the pause still lasts.
	RetryAfter time.Duration
}

// Error says that pushes are paused and for how long.
func (e *BlockedError) Error() string {
	return fmt.Sprintf("push: sign-in requests paused, retry after %s", e.RetryAfter.Round(time.Second))
}

// Unwrap returns ErrBlocked.
func (e *BlockedError) Unwrap() error { return ErrBlocked }

// loginKey carries a LoginRequest's Context from Challenge to Send, through
// the Manager.
type loginKey struct{}

// Challenge sends a sign-in request to one of the user's phones through the
// Manager's Challenge, so that its send budgets (counted per enrollment)
// and its failure accounting apply. The returned Sent's ScreenDigits is the
// number the login page shows; the page then polls Status and, once
// approved, completes the login with the Manager's Verify, an Answer with
// the ChallengeID and an empty Code.
//
// Against push fatigue: a user has at most one open request; a new one
// within Config.Cooldown of the last is refused with a
// *factor.RateLimitError (scope "push"), after it the new one replaces the
// old; while pushes are paused after "not me" it is a *BlockedError.
// Nothing is ever sent again by itself after a denial.
func (f *Factor) Challenge(ctx context.Context, req LoginRequest, now time.Time) (*factor.Sent, error) {
	m, err := f.manager()
	if err != nil {
		return nil, err
	}
	x := m.Extension()
	if err := x.CheckUserID(req.UserID); err != nil {
		return nil, err
	}
	for name, v := range map[string]string{"context.app": req.Context.App, "context.browser": req.Context.Browser, "context.location": req.Context.Location} {
		if err := x.CheckText(name, v, 128); err != nil {
			return nil, err
		}
	}
	all, err := x.Store().ListEnrollments(ctx, req.UserID)
	if err != nil {
		return nil, fmt.Errorf("push: list enrollments: %w", err)
	}
	found := false
	for _, e := range all {
		if e.Kind != Kind {
			continue
		}
		found = found || (e.ID == req.EnrollmentID && e.Confirmed)
		st, err := decodeState(e)
		if err != nil {
			return nil, err
		}
		if now.Before(st.BlockedUntil) {
			return nil, &BlockedError{RetryAfter: st.BlockedUntil.Sub(now)}
		}
	}
	if !found {
		return nil, fmt.Errorf("push: challenge: %w", factor.ErrNotFound)
	}
	n, err := x.Store().IncrementCounter(ctx, "push:"+req.UserID, now, now.Add(f.cfg.Cooldown))
	if err != nil {
		return nil, fmt.Errorf("push: cooldown: %w", err)
	}
	if n > 1 {
		return nil, &factor.RateLimitError{Scope: "push", RetryAfter: f.cfg.Cooldown}
	}
	ctx = context.WithValue(ctx, loginKey{}, req.Context)
	return m.Challenge(ctx, factor.ChallengeRequest{UserID: req.UserID, EnrollmentID: req.EnrollmentID, Language: req.Language}, now)
}

// Send delivers a push message the Manager composed: it records the
// sign-in request on the enrollment (a fresh nonce, the number and two
// other choices, the host's context), closes any other open request of the
// user, and wakes the app through the Notifier. Route Kind to the Factor
// in the Manager's Sender (a factor.Router).
//
// The request can always be fetched by polling, so a push that does not
// go out is logged, not returned; a token the push service no longer knows
// is forgotten.
func (f *Factor) Send(ctx context.Context, msg factor.Message) error {
	m, err := f.manager()
	if err != nil {
		return err
	}
	if msg.Kind != Kind {
		return &delivery.Error{Provider: "push", Err: fmt.Errorf("%w: %s message", delivery.ErrUnsupported, msg.Kind)}
	}
	x := m.Extension()
	c, err := x.Store().GetChallenge(ctx, msg.ChallengeID)
	if err != nil {
		return fmt.Errorf("push: send: %w", err)
	}
	lc, _ := ctx.Value(loginKey{}).(Context)
	expires := msg.SentAt.Add(f.cfg.ChallengeTTL)
	if msg.ExpiresAt.Before(expires) {
		expires = msg.ExpiresAt
	}
	p, err := newPending(x.Rand(), c.ID, msg.Code, lc, msg.SentAt, expires)
	if err != nil {
		return err
	}
	e, st, err := f.update(ctx, x.Store(), c.UserID, c.EnrollmentID, func(_ *factor.Enrollment, st *state) error {
		if st.Key == nil {
			return errRefused
		}
		if msg.SentAt.Before(st.BlockedUntil) {
			return &BlockedError{RetryAfter: st.BlockedUntil.Sub(msg.SentAt)}
		}
		st.Pending = p
		return nil
	})
	if err != nil {
		return err
	}
	f.closeOthers(ctx, x.Store(), e, msg.SentAt)
	if f.cfg.Notifier == nil || len(st.Token) == 0 {
		return nil
	}
	token, err := x.Sealer().Open(st.Token, tokenAD(e.UserID, e.ID))
	if err != nil {
		return fmt.Errorf("push: open token: %w", err)
	}
	err = f.cfg.Notifier.Notify(ctx, Notification{
		Platform: st.Platform, Token: string(token), Title: msg.Subject, Body: msg.Text, Language: msg.Language,
		ChallengeID: c.ID, EnrollmentID: e.ID, ExpiresAt: p.ExpiresAt,
	})
	if err == nil {
		return nil
	}
	x.Logger().LogAttrs(ctx, slog.LevelWarn, "twostep: push not delivered; the app can still poll", slog.String("user", e.UserID), slog.String("enrollment", e.ID), slog.String("challenge", c.ID), slog.String("error", err.Error()))
	if errors.Is(err, delivery.ErrUnregistered) {
		_, _, uerr := f.update(context.WithoutCancel(ctx), x.Store(), e.UserID, e.ID, func(_ *factor.Enrollment, st *state) error {
			st.Token = nil
			return nil
		})
		if uerr != nil {
			x.Logger().Error("twostep: could not forget an unregistered push token", "enrollment", e.ID, "error", uerr.Error())
		}
	}
	return nil
}

// newPending builds a sign-in request: a 256-bit nonce and the right
// number among two other distinct numbers of the same length, in
// ascending order, so that their order tells nothing.
func newPending(r io.Reader, challengeID, code string, lc Context, created, expires time.Time) (*pending, error) {
	raw := make([]byte, 32)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("push: nonce: %w", err)
	}
	numbers := []string{code}
	for len(numbers) < 3 {
		d, err := factor.RandomDigits(r, len(code))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(numbers, d) {
			numbers = append(numbers, d)
		}
	}
	slices.Sort(numbers)
	return &pending{Challenge: challengeID, Nonce: b64.EncodeToString(raw), Numbers: numbers, Context: lc, CreatedAt: created, ExpiresAt: expires}, nil
}

// closeOthers closes the open requests of the user's other phones: a user
// has one open request at a time.
func (f *Factor) closeOthers(ctx context.Context, s factor.Store, keep *factor.Enrollment, now time.Time) {
	all, err := s.ListEnrollments(ctx, keep.UserID)
	if err != nil {
		return
	}
	for _, e := range all {
		if e.Kind != Kind || e.ID == keep.ID {
			continue
		}
		_, _, _ = f.update(ctx, s, e.UserID, e.ID, func(_ *factor.Enrollment, st *state) error {
			if !st.Pending.open(now) {
				return errUnchanged
			}
			st.Pending.Decision, st.Pending.DecidedAt = decidedReplaced, now
			return nil
		})
	}
}

// errUnchanged stops update without saving.
var errUnchanged = errors.New("push: unchanged")

// update reads a push enrollment, lets change modify it and its state, and
// saves it with compare-and-swap, reading afresh and trying again when a
// concurrent change won. An unknown enrollment, or one of another kind, is
// errRefused.
func (f *Factor) update(ctx context.Context, s factor.Store, userID, id string, change func(*factor.Enrollment, *state) error) (*factor.Enrollment, *state, error) {
	for range 100 {
		e, err := s.GetEnrollment(ctx, userID, id)
		if errors.Is(err, factor.ErrNotFound) {
			return nil, nil, errRefused
		}
		if err != nil {
			return nil, nil, fmt.Errorf("push: get enrollment: %w", err)
		}
		if e.Kind != Kind {
			return nil, nil, errRefused
		}
		st, err := decodeState(e)
		if err != nil {
			return nil, nil, err
		}
		if err := change(e, st); err != nil {
			return nil, nil, err
		}
		if e.State, err = st.encode(); err != nil {
			return nil, nil, err
		}
		err = s.UpdateEnrollment(ctx, e)
		if err == nil {
			return e, st, nil
		}
		if !errors.Is(err, factor.ErrConflict) {
			return nil, nil, fmt.Errorf("push: save enrollment: %w", err)
		}
	}
	return nil, nil, fmt.Errorf("push: enrollment %s: %w", id, factor.ErrConflict)
}

// burn uses a challenge up, so that nothing can approve, complete or
// resend it any more.
func burn(ctx context.Context, s factor.Store, id string, now time.Time) error {
	for range 100 {
		c, err := s.GetChallenge(ctx, id)
		if err != nil {
			return fmt.Errorf("push: get challenge: %w", err)
		}
		if !c.UsedAt.IsZero() {
			return nil
		}
		c.UsedAt = now
		err = s.UpdateChallenge(ctx, c)
		if err == nil || !errors.Is(err, factor.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("push: challenge %s: %w", id, factor.ErrConflict)
}
