package factor

import (
	"encoding/base64"
	"encoding/binary"
	"io"
	"time"
)

// EnrollRequest asks for a new enrollment.
type EnrollRequest struct {
	// UserID is the user enrolling. Required.
	UserID string
	// Kind is the kind of factor. Required.
	Kind Kind
	// Label is a name the user chose, such as "Work phone".
	Label string
	// Address is the phone number or email address, for factors that
	// deliver codes.
	Address string
	// Replaces names an enrollment of the same user and kind that the new
	// one replaces once confirmed, such as a changed phone number.
	Replaces string
	// Secret is an existing secret to import, such as a TOTP key moved
	// from another system; empty lets the factor make one.
	Secret []byte
	// State is factor-private state to start with, for factors that keep
	// state of their own, such as a registration under way.
	State []byte
	// StepUp is the step-up grant of the host's session (Result.StepUp),
	// needed when the user already has a confirmed enrollment.
	StepUp string
	// Language is the user's language preference (a BCP 47 tag or an
	// Accept-Language value) for what Enroll sends, such as the link of a
	// change of number confirmed by email (Policy.ChangeByEmail).
	Language string
}

// RemoveRequest asks to remove one of a user's enrollments.
type RemoveRequest struct {
	// UserID is the user. Required.
	UserID string
	// EnrollmentID is the enrollment to remove. Required.
	EnrollmentID string
	// StepUp is the step-up grant of the host's session (Result.StepUp),
	// needed to remove a confirmed enrollment.
	StepUp string
}

// DisableRequest asks to turn two-step verification off for a user.
type DisableRequest struct {
	// UserID is the user. Required.
	UserID string
	// StepUp is the step-up grant of the host's session (Result.StepUp).
	StepUp string
}

// A step-up grant proves that one session of a user passed a second step a
// moment ago. Verify hands it out in Result.StepUp; the host keeps it in
// that session and passes it to a sensitive change (adding, replacing or
// removing an enrollment, turning two-step verification off). It is a
// stateless token, so a login costs no extra store call: its expiry and
// 128 random bits, with a keyed hash over them and the user's ID under the
// Manager's keys. Another user's grant, an expired or a changed one never
// passes.
const grantNonce = 16

// grantFor issues a step-up grant for userID that lapses after
// Policy.StepUpWindow.
func (m *Manager) grantFor(userID string, now time.Time) (string, error) {
	b := make([]byte, 8+grantNonce)
	binary.BigEndian.PutUint64(b, uint64(now.Add(m.cfg.Policy.StepUpWindow).Unix()))
	if _, err := io.ReadFull(m.rand, b[8:]); err != nil {
		return "", err
	}
	b = append(b, m.sealer.MAC("step-up", userID, b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// validGrant reports whether grant is a step-up grant of userID that has
// not lapsed at now.
func (m *Manager) validGrant(userID, grant string, now time.Time) bool {
	if len(grant) > 256 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(grant)
	if err != nil || len(b) <= 8+grantNonce {
		return false
	}
	expires := time.Unix(int64(binary.BigEndian.Uint64(b)), 0)
	if !now.Before(expires) || expires.Sub(now) > m.cfg.Policy.StepUpWindow {
		return false
	}
	return m.sealer.CheckMAC(b[8+grantNonce:], "step-up", userID, b[:8+grantNonce])
}

// checkStepUp decides whether a sensitive change of the user's
// enrollments may go ahead. A grant, when given, must be valid: then the
// session that presents it passed a second step a moment ago. Without
// one, when Policy.StepUpGrants is set, the change is refused; otherwise
// the rule is per user: one of the user's confirmed enrollments passed a
// second step within Policy.StepUpWindow, in whichever session.
func (m *Manager) checkStepUp(userID, grant string, all []*Enrollment, now time.Time) error {
	if grant != "" {
		if m.validGrant(userID, grant, now) {
			return nil
		}
		return ErrStepUpRequired
	}
	if m.cfg.Policy.StepUpGrants {
		return ErrStepUpRequired
	}
	for _, e := range all {
		if e.Confirmed && !e.LastUsedAt.IsZero() && now.Sub(e.LastUsedAt) <= m.cfg.Policy.StepUpWindow {
			return nil
		}
	}
	return ErrStepUpRequired
}
