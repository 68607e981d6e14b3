package push

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

// State is what the login page may learn of a push sign-in.
type State string

// The states of a push sign-in.
const (
	// StatePending: the app has not answered yet.
	StatePending State = "pending"
	// StateApproved: the user picked the right number; complete the login
	// with the Manager's Verify and an empty code.
	StateApproved State = "approved"
	// StateDenied: the user denied it, picked a wrong number, or was
	// locked out; Status.Reason says which.
	StateDenied State = "denied"
	// StateExpired: the request timed out or a newer one replaced it.
	StateExpired State = "expired"
	// StateUsed: the login was completed.
	StateUsed State = "used"
)

// Approval is a push sign-in as the login page shows it.
type Approval struct {
	// State is where the sign-in stands.
	State State
	// Reason says why it was denied: "not_me", "cancelled",
	// "wrong_number" or "locked".
	Reason string
}

// Status tells the login page where a push sign-in stands, for a live
// status that polls. It counts nothing and reveals nothing about the
// number. A challenge of another kind gets the Manager's ChallengeStatus.
func (f *Factor) Status(ctx context.Context, userID, challengeID string, now time.Time) (Approval, error) {
	m, err := f.manager()
	if err != nil {
		return Approval{}, err
	}
	s, err := m.ChallengeStatus(ctx, userID, challengeID, now)
	if err != nil {
		return Approval{}, err
	}
	x := m.Extension()
	c, err := x.Store().GetChallenge(ctx, challengeID)
	if err != nil {
		return Approval{}, fmt.Errorf("push: status: %w", err)
	}
	if c.Kind != Kind {
		return Approval{State: State(s)}, nil
	}
	e, err := x.Store().GetEnrollment(ctx, userID, c.EnrollmentID)
	if errors.Is(err, factor.ErrNotFound) {
		return Approval{State: StateExpired}, nil
	}
	if err != nil {
		return Approval{}, fmt.Errorf("push: status: %w", err)
	}
	st, err := decodeState(e)
	if err != nil {
		return Approval{}, err
	}
	p := st.Pending
	mine := p != nil && p.Challenge == c.ID
	switch {
	case mine && (p.Decision == decidedNotMe || p.Decision == decidedCancel || p.Decision == decidedWrong || p.Decision == "locked"):
		return Approval{State: StateDenied, Reason: p.Decision}, nil
	case s == factor.ChallengeApproved || s == factor.ChallengeUsed:
		return Approval{State: State(s)}, nil
	case !mine || p.Decision == decidedReplaced || !now.Before(p.ExpiresAt) || s == factor.ChallengeExpired:
		return Approval{State: StateExpired}, nil
	}
	return Approval{State: StatePending}, nil
}
