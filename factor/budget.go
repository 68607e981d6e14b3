package factor

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// window is one fixed-window budget a send is charged to.
type window struct {
	scope  string
	key    string
	limit  int
	length time.Duration // the window's length; zero for a cooldown from now
}

// budgetWindows are the windows a code for e falls under at now. A code
// for a confirmed enrollment counts against its destination (per hour and
// per day), its user and the whole deployment. A code for a pending
// enrollment counts against the user asking, the deployment, and a small
// daily budget per destination shared by all users, never against the
// destination budget of a user who confirmed that number: enrolling
// someone else's number cannot use up their codes. Every code also starts
// the enrollment's resend cooldown.
func (m *Manager) budgetWindows(e *Enrollment, now time.Time) []window {
	b := m.cfg.Budget
	ws := []window{{scope: "resend", key: m.resendKey(e), limit: 1}}
	if e.Confirmed {
		dest := m.destinationKey(e.Address)
		ws = append(ws,
			window{"destination", dest, b.PerDestinationHour, time.Hour},
			window{"destination", dest, b.PerDestinationDay, 24 * time.Hour})
	} else {
		ws = append(ws, window{"destination", m.pendingKey(e.Address), b.PendingPerDestinationDay, 24 * time.Hour})
	}
	ws = append(ws,
		window{"user", m.userBudgetKey(e.UserID), b.PerUserDay, 24 * time.Hour},
		window{"global", "global", b.GlobalPerMinute, time.Minute})
	return ws
}

// resendKey names e's resend cooldown: by its ID, which no other
// enrollment has, and for the account's address (AccountEmailID, the
// same for every user) by its user, so that no user's codes wait for
// another's.
func (m *Manager) resendKey(e *Enrollment) string {
	if e.ID == AccountEmailID {
		return "resend:" + AccountEmailID + ":" + m.userBudgetKey(e.UserID)
	}
	return "resend:" + e.ID
}

// destinationKey names the send budget of a confirmed address, and
// pendingKey the budget of an address that is being enrolled: a keyed
// digest of its canonical form, so that no address is stored in the clear
// and no notation of one address (upper case, a Unicode domain) gets a
// budget of its own.
func (m *Manager) destinationKey(address string) string { return "dest:" + m.addressDigest(address) }

func (m *Manager) pendingKey(address string) string { return "pending:" + m.addressDigest(address) }

func (m *Manager) addressDigest(address string) string {
	return hex.EncodeToString(m.sealer.Digest("budget", []byte(canonicalAddress(address)))[:16])
}

// userBudgetKey names the user's send budget: a digest, so that the
// user's ID is not stored in the clear.
func (m *Manager) userBudgetKey(userID string) string {
	return "user:" + hex.EncodeToString(m.sealer.Digest("budget user", []byte(userID))[:16])
}

// canonicalAddress is an email address with its domain in lower-case
// ASCII (IDNA A-labels) and a phone number as it is (E.164 already).
func canonicalAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	if ascii, err := idna.Lookup.ToASCII(domain); err == nil {
		domain = ascii
	}
	return local + "@" + strings.ToLower(domain)
}

// counters turns windows into the store's counters at now: fixed windows
// aligned to their length, the cooldown from now.
func (m *Manager) counters(ws []window, now time.Time) []CounterWindow {
	out := make([]CounterWindow, 0, len(ws))
	for _, w := range ws {
		if w.length == 0 {
			out = append(out, CounterWindow{Key: w.key, Limit: int64(w.limit), Expires: now.Add(m.cfg.Codes.ResendAfter)})
			continue
		}
		start := now.Truncate(w.length)
		key := w.key + ":" + strconv.FormatInt(int64(w.length/time.Second), 10) + ":" + strconv.FormatInt(start.Unix(), 10)
		out = append(out, CounterWindow{Key: key, Limit: int64(w.limit), Expires: start.Add(w.length)})
	}
	return out
}

// spend charges a code for e to every budget it falls under, and to the
// enrollment's resend cooldown, all at once or not at all: a refused send
// costs no budget anything, so neither a flood nor a user clicking resend
// can use up another window. It returns the charged counters, for a
// refund when the send certainly did not go out, or a *RateLimitError
// with the longest wait of the full windows.
func (m *Manager) spend(ctx context.Context, e *Enrollment, now time.Time) ([]CounterWindow, error) {
	on := switchedOn(m.budgetWindows(e, now))
	cs := m.counters(on, now)
	full, err := m.store.ChargeCounters(ctx, cs, now)
	if err != nil {
		return nil, fmt.Errorf("factor: send budget: %w", err)
	}
	if len(full) == 0 {
		return cs, nil
	}
	refused := &RateLimitError{}
	for _, i := range full {
		if wait := cs[i].Expires.Sub(now); wait > refused.RetryAfter || refused.Scope == "" {
			refused.Scope, refused.RetryAfter = on[i].scope, wait
		}
	}
	if refused.Scope != "resend" {
		m.log.LogAttrs(ctx, slog.LevelWarn, "twostep: send budget exceeded", slog.String("user", e.UserID), slog.String("scope", refused.Scope))
	}
	return nil, refused
}

// switchedOn leaves out the windows switched off (a negative limit).
func switchedOn(ws []window) []window {
	out := ws[:0:0]
	for _, w := range ws {
		if w.limit >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// refund takes back the charges of a send that certainly did not go out.
// It runs even when ctx is cancelled; a failure is only logged, as it can
// make the budgets stricter, never looser.
func (m *Manager) refund(ctx context.Context, cs []CounterWindow, now time.Time) {
	if err := m.store.RefundCounters(context.WithoutCancel(ctx), cs, now); err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "twostep: could not refund a send that did not go out", slog.String("error", err.Error()))
	}
}

// notSent reports whether err says the message certainly did not go out:
// a provider's refusal, as opposed to a timeout or a lost connection,
// after which it may have been delivered. Senders say so by an error with
// a NotSent method in its chain, as factor/delivery's errors have.
func notSent(err error) bool {
	var ns interface{ NotSent() bool }
	return errors.As(err, &ns) && ns.NotSent()
}
