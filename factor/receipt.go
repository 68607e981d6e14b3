package factor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery is what a provider reported about a code it was given: the
// delivery receipt of an SMS, the outcome of a voice call.
type Delivery string

// The deliveries a receipt may report. A challenge's Delivery only moves
// forward: from none to DeliverySent, and from either to one of the final
// three, which stays.
const (
	// DeliveryUnknown: no receipt came for the current code, because the
	// provider sends none, receipts are not configured, or none came yet.
	DeliveryUnknown Delivery = ""
	// DeliverySent: the provider handed the code on, to the carrier or to
	// a ringing phone, and does not know yet whether it arrived.
	DeliverySent Delivery = "sent"
	// DeliveryDelivered: the code reached the phone: the SMS was delivered or the
	// call was answered and ran to its end.
	DeliveryDelivered Delivery = "delivered"
	// DeliveryUndelivered: the code was handed on but did not reach the
	// user: the carrier could not deliver the SMS, or the call was busy,
	// not answered, or answered by a machine, which never hears the code.
	DeliveryUndelivered Delivery = "undelivered"
	// DeliveryFailed: the provider could not send the code at all.
	DeliveryFailed Delivery = "failed"
)

// final reports whether d is one of the deliveries that never change.
func (d Delivery) final() bool {
	return d == DeliveryDelivered || d == DeliveryUndelivered || d == DeliveryFailed
}

// missed reports whether d says the code did not reach the user.
func (d Delivery) missed() bool { return d == DeliveryUndelivered || d == DeliveryFailed }

// Receipt is a provider's report on one code it was given, as a status
// callback handler (sms/twilio, voice/twilio) reads it.
type Receipt struct {
	// ChallengeID is the challenge the code was sent for
	// (Message.ChallengeID).
	ChallengeID string
	// Send is the Message.Send of the code, so that a late receipt for an
	// earlier code of the challenge changes nothing.
	Send int
	// Delivery is what the provider reported; not DeliveryUnknown.
	Delivery Delivery
}

// RecordDelivery records a provider's delivery receipt on its challenge,
// for ChallengeStatus: a code that did not reach the user shows as
// ChallengeUndelivered, so that the page can offer another method instead
// of waiting. A receipt never counts as an attempt of the user, never
// charges or refunds a budget and never changes the code.
//
// Only news is recorded: a receipt for an earlier code of the challenge,
// for a challenge that is used or has expired, one that repeats what is
// known, or one that would move the delivery back (a "sent" that comes
// after "delivered", any receipt after a final one) changes nothing, so
// that a provider's retries and late or replayed callbacks are harmless.
// RecordDelivery reports whether the receipt changed the challenge. An
// unknown challenge is an error wrapping ErrNotFound; a malformed receipt
// an *InputError.
func (x Extension) RecordDelivery(ctx context.Context, r Receipt, now time.Time) (bool, error) {
	m := x.m
	if r.ChallengeID == "" {
		return false, &InputError{Field: "challenge", Reason: "is required"}
	}
	if err := checkID("challenge", r.ChallengeID); err != nil {
		return false, err
	}
	if r.Send < 1 {
		return false, &InputError{Field: "send", Reason: "must be 1 or more"}
	}
	if r.Delivery != DeliverySent && !r.Delivery.final() {
		return false, &InputError{Field: "delivery", Reason: "unknown delivery"}
	}
	c, err := m.store.GetChallenge(ctx, r.ChallengeID)
	for range maxCASRetries {
		if err != nil {
			return false, fmt.Errorf("factor: delivery receipt: %w", err)
		}
		if r.Send != c.Sends || !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt) || c.Delivery.final() || r.Delivery == c.Delivery {
			return false, nil
		}
		c.Delivery = r.Delivery
		err = m.store.UpdateChallenge(ctx, c)
		if err == nil {
			return true, nil
		}
		if errors.Is(err, ErrConflict) {
			c, err = m.store.GetChallenge(ctx, r.ChallengeID)
		}
	}
	return false, fmt.Errorf("factor: challenge %s: %w", r.ChallengeID, ErrConflict)
}
