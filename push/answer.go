package push

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

// device reads a confirmed push enrollment and checks a request's
// timestamp and signature with its key. Everything that does not check
// out is errRefused.
func (f *Factor) device(ctx context.Context, s factor.Store, userID, enrollmentID string, ts int64, text []byte, sig string, now time.Time) (*state, error) {
	e, err := s.GetEnrollment(ctx, userID, enrollmentID)
	if errors.Is(err, factor.ErrNotFound) {
		return nil, errRefused
	}
	if err != nil {
		return nil, fmt.Errorf("push: get enrollment: %w", err)
	}
	st, err := decodeState(e)
	if err != nil {
		return nil, err
	}
	if err := checkSigned(e, st, ts, text, sig, now); err != nil {
		return nil, err
	}
	return st, nil
}

// checkSigned checks that e is a confirmed push enrollment with a device
// key, that ts is fresh, and that sig is the device's signature of text.
func checkSigned(e *factor.Enrollment, st *state, ts int64, text []byte, sig string, now time.Time) error {
	if e.Kind != Kind || !e.Confirmed || st.Key == nil {
		return errRefused
	}
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), st.Key)
	if err != nil {
		return errRefused
	}
	if err := fresh(ts, now); err != nil {
		return err
	}
	if err := verify(key, text, sig); err != nil {
		return errRefused
	}
	return nil
}

// poll handles POST {url}/poll: the device's open sign-in request, if any.
func (f *Factor) poll(ctx context.Context, m *factor.Manager, r *pollRequest, now time.Time) (*pollResponse, error) {
	if err := checkIDs(r.User, r.Enrollment, r.Signature); err != nil {
		return nil, err
	}
	st, err := f.device(ctx, m.Extension().Store(), r.User, r.Enrollment, r.Timestamp, r.signedText(f.origin), r.Signature, now)
	if err != nil {
		return nil, err
	}
	out := &pollResponse{Requests: []request{}}
	if p := st.Pending; p.open(now) {
		out.Requests = append(out.Requests, request{Challenge: p.Challenge, Nonce: p.Nonce, Numbers: p.Numbers, Context: p.Context, CreatedAt: p.CreatedAt.Unix(), ExpiresAt: p.ExpiresAt.Unix()})
	}
	return out, nil
}

// answer handles POST {url}/answer. The request is decided once, with
// compare-and-swap on the enrollment: of concurrent answers one wins, the
// others and every later one are refused and count nothing. An approval
// then goes to the Manager's ApproveKeypad with the picked number, as one
// counted attempt: the right number approves the challenge, a wrong one is
// a failure and denies it. A denial uses the challenge up; "not me" is
// reported (EventNotMe) and pauses further pushes.
func (f *Factor) answer(ctx context.Context, m *factor.Manager, r *answerRequest, now time.Time) (*reply, error) {
	if err := checkIDs(r.User, r.Enrollment, r.Signature); err != nil {
		return nil, err
	}
	if err := checkField("challenge", r.Challenge, 64); err != nil {
		return nil, err
	}
	if err := checkField("nonce", r.Nonce, 64); err != nil {
		return nil, err
	}
	decision, err := decide(r)
	if err != nil {
		return nil, err
	}
	// The signature is checked on the enrollment as read for the
	// decision, so that one read serves both (and again on the fresh
	// read of a retry after a concurrent change).
	x := m.Extension()
	text := r.signedText(f.origin)
	_, _, err = f.update(ctx, x.Store(), r.User, r.Enrollment, func(e *factor.Enrollment, st *state) error {
		if err := checkSigned(e, st, r.Timestamp, text, r.Signature, now); err != nil {
			return err
		}
		p := st.Pending
		if !p.open(now) || p.Challenge != r.Challenge || subtle.ConstantTimeCompare([]byte(p.Nonce), []byte(r.Nonce)) != 1 {
			return errRefused
		}
		if decision == decidedApprove && len(r.Number) != len(p.Numbers[0]) {
			return errField("number")
		}
		p.Decision, p.DecidedAt = decision, now
		if decision == decidedNotMe && f.cfg.NotMeBlock > 0 {
			st.BlockedUntil = now.Add(f.cfg.NotMeBlock)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if decision != decidedApprove {
		return f.deny(ctx, m, r, decision, now)
	}
	err = m.ApproveKeypad(ctx, r.Challenge, r.Number, now)
	if err == nil {
		return &reply{Result: "approved"}, nil
	}
	// A wrong number was counted as a failure; whatever went wrong, the
	// request is closed and its challenge used up.
	why := decidedWrong
	if errors.Is(err, factor.ErrLocked) {
		why = "locked"
	}
	_, _, uerr := f.update(ctx, x.Store(), r.User, r.Enrollment, func(_ *factor.Enrollment, st *state) error {
		if st.Pending == nil || st.Pending.Challenge != r.Challenge {
			return errUnchanged
		}
		st.Pending.Decision = why
		return nil
	})
	if berr := burn(ctx, x.Store(), r.Challenge, now); berr != nil || (uerr != nil && !errors.Is(uerr, errUnchanged)) {
		return nil, errors.Join(berr, uerr)
	}
	if why == decidedWrong && errors.Is(err, factor.ErrInvalidCode) {
		return &reply{Result: "denied", Reason: decidedWrong}, nil
	}
	return nil, err
}

// deny records a denial: the challenge is used up, and "not me" is
// reported to the Manager's events and to Config.Alerts.
func (f *Factor) deny(ctx context.Context, m *factor.Manager, r *answerRequest, reason string, now time.Time) (*reply, error) {
	x := m.Extension()
	if err := burn(ctx, x.Store(), r.Challenge, now); err != nil {
		return nil, err
	}
	if reason == decidedNotMe {
		ev := factor.Event{Type: EventNotMe, UserID: r.User, EnrollmentID: r.Enrollment, Kind: Kind, Time: now, Actor: r.User, Reason: "sign-in denied on the phone: not me"}
		x.Emit(ctx, ev)
		if f.cfg.Alerts != nil {
			f.cfg.Alerts.Event(ctx, ev)
		}
	}
	return &reply{Result: "denied", Reason: reason}, nil
}

// decide checks an answer's decision, reason and number, and returns what
// pending.Decision records.
func decide(r *answerRequest) (string, error) {
	switch {
	case r.Decision == DecisionApprove && r.Reason == "" && digits(r.Number):
		return decidedApprove, nil
	case r.Decision == DecisionDeny && r.Number == "" && (r.Reason == ReasonNotMe || r.Reason == ReasonCancelled):
		return r.Reason, nil
	case r.Decision == DecisionApprove:
		return "", errField("number")
	}
	return "", errField("decision")
}

func digits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkIDs checks the fields every signed request carries.
func checkIDs(user, enrollment, sig string) error {
	if user == "" || checkField("user", user, 255) != nil {
		return errField("user")
	}
	if enrollment == "" || checkField("enrollment", enrollment, 64) != nil {
		return errField("enrollment")
	}
	if sig == "" || checkField("signature", sig, 128) != nil {
		return errField("signature")
	}
	return nil
}
