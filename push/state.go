package push

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

// state is what a push enrollment keeps in factor.Enrollment.State. The
// enrolment secret is there only as a keyed hash, and only until the
// enrollment is confirmed; the push token only sealed.
type state struct {
	// SecretHash is the keyed hash of the enrolment secret.
	SecretHash []byte `json:"secret_hash,omitempty"`
	// Key is the device's P-256 public key, uncompressed; set by the
	// registration.
	Key []byte `json:"key,omitempty"`
	// Token is the device's push token, sealed; empty for a device that
	// only polls, and after the push service forgot it.
	Token []byte `json:"token,omitempty"`
	// Platform is the device's platform, such as "android".
	Platform string `json:"platform,omitempty"`
	// Device is the device's name as the app reported it.
	Device string `json:"device,omitempty"`
	// Pending is the open or last sign-in request sent to the device.
	Pending *pending `json:"pending,omitempty"`
	// BlockedUntil is when pushes may go out again after "not me".
	BlockedUntil time.Time `json:"blocked_until,omitzero"`
}

// pending is one sign-in request as the device sees it.
type pending struct {
	Challenge string    `json:"challenge"`
	Nonce     string    `json:"nonce"`
	Numbers   []string  `json:"numbers"`
	Context   Context   `json:"context"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Decision is empty while the request is open, and then one of the
	// decision constants.
	Decision  string    `json:"decision,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// What became of a sign-in request, as recorded in pending.Decision.
const (
	decidedApprove  = "approve"
	decidedWrong    = "wrong_number"
	decidedNotMe    = ReasonNotMe
	decidedCancel   = ReasonCancelled
	decidedReplaced = "replaced"
)

// open reports whether the request can still be answered at now.
func (p *pending) open(now time.Time) bool {
	return p != nil && p.Decision == "" && now.Before(p.ExpiresAt)
}

func decodeState(e *factor.Enrollment) (*state, error) {
	var st state
	if len(e.State) == 0 {
		return &st, nil
	}
	if err := json.Unmarshal(e.State, &st); err != nil {
		return nil, fmt.Errorf("push: enrollment %s: unreadable state: %w", e.ID, err)
	}
	return &st, nil
}

func (st *state) encode() ([]byte, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("push: encode state: %w", err)
	}
	return b, nil
}

// tokenAD binds a sealed push token to its user and enrollment.
func tokenAD(userID, enrollmentID string) []byte {
	b := make([]byte, 0, 32+len(userID)+len(enrollmentID))
	b = append(b, "twostep push token v1"...)
	b = append(b, 0)
	b = append(b, userID...)
	b = append(b, 0)
	return append(b, enrollmentID...)
}
