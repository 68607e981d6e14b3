package factor

import (
	"context"
	"log/slog"
	"time"
)

// EventType names what happened.
type EventType string

// The events the Manager and the packages built on it emit.
const (
	EventEnrolled          EventType = "enrolled"
	EventConfirmed         EventType = "confirmed"
	EventRemoved           EventType = "removed"
	EventPrimaryChanged    EventType = "primary_changed"
	EventVerified          EventType = "verified"
	EventFailed            EventType = "failed"
	EventLocked            EventType = "locked"
	EventChallengeSent     EventType = "challenge_sent"
	EventRecoveryGenerated EventType = "recovery_generated"
	EventRecoveryUsed      EventType = "recovery_used"
	EventDeviceTrusted     EventType = "device_trusted"
	EventDevicesRevoked    EventType = "devices_revoked"
	EventActivationIssued  EventType = "activation_issued"
	EventActivationUsed    EventType = "activation_used"
	EventReset             EventType = "reset"
	EventUnlocked          EventType = "unlocked"
	EventDisabled          EventType = "disabled"
	EventEnabled           EventType = "enabled"
)

// Event is an audit record. It never holds a code, a secret or a full
// address.
type Event struct {
	// Type is what happened.
	Type EventType
	// UserID is the user it happened to.
	UserID string
	// EnrollmentID is the enrollment involved, if any.
	EnrollmentID string
	// Kind is the kind of factor involved, if any.
	Kind Kind
	// Time is the time passed to the operation.
	Time time.Time
	// Actor is who caused it: the user ID for the user's own actions, an
	// admin's ID for resets.
	Actor string
	// Reason is free text such as an admin's reason for a reset.
	Reason string
}

// FactorChange reports whether e is a change of the user's factors that is
// worth telling the user about: the Manager hands these events to
// Config.Notifier. Every such change except EventRecoveryGenerated also
// revokes the user's trusted devices, because the code that makes it calls
// Extension.Changed; generating recovery codes only emits the event and
// leaves trusted devices alone.
func (e Event) FactorChange() bool {
	switch e.Type {
	case EventConfirmed, EventRemoved, EventReset, EventRecoveryUsed, EventRecoveryGenerated, EventDisabled:
		return true
	}
	return false
}

// LogValue implements slog.LogValuer.
func (e Event) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("type", string(e.Type)), slog.String("user", e.UserID)}
	if e.EnrollmentID != "" {
		attrs = append(attrs, slog.String("enrollment", e.EnrollmentID))
	}
	if e.Kind != "" {
		attrs = append(attrs, slog.String("kind", string(e.Kind)))
	}
	if e.Actor != "" {
		attrs = append(attrs, slog.String("actor", e.Actor))
	}
	return slog.GroupValue(attrs...)
}

// EventSink receives audit events.
type EventSink interface {
	// Event receives one event. It is called synchronously after the
	// change is stored, so it must not block for long; it cannot fail the
	// operation, so a sink that can fail must handle its own errors.
	Event(ctx context.Context, e Event)
}

// EventFunc adapts a function to the EventSink interface.
type EventFunc func(ctx context.Context, e Event)

// Event calls f(ctx, e).
func (f EventFunc) Event(ctx context.Context, e Event) { f(ctx, e) }
