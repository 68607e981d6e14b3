package push

import (
	"context"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor/delivery"
)

// Notification is one push message to a device: a wake-up that names the
// sign-in request. It carries neither the number nor the nonce; the app
// fetches those with a signed poll.
type Notification struct {
	// Platform is the device's platform, such as PlatformIOS.
	Platform string
	// Token is the device's push token (an FCM registration token or an
	// APNs device token). Senders must not log it.
	Token string
	// Title and Body are the visible notification, in Language.
	Title, Body string
	// Language is the BCP 47 tag of Title and Body.
	Language string
	// ChallengeID and EnrollmentID name the sign-in request, as the app's
	// poll returns it; they go into the message's data.
	ChallengeID, EnrollmentID string
	// ExpiresAt is when the request can no longer be answered: the push
	// service may drop the message after it.
	ExpiresAt time.Time
}

// Notifier delivers notifications to devices: push/fcm and push/apns
// implement it. A token the push service no longer knows is an error
// wrapping delivery.ErrUnregistered; the Factor then forgets the token and
// the device keeps working by polling.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Platforms sends each notification with the Notifier for its platform,
// such as APNs for iOS and FCM for Android.
type Platforms map[string]Notifier

// Notify hands n to the Notifier for n.Platform; a platform without one is
// a delivery.ErrUnsupported.
func (p Platforms) Notify(ctx context.Context, n Notification) error {
	if s, ok := p[n.Platform]; ok && s != nil {
		return s.Notify(ctx, n)
	}
	return &delivery.Error{Provider: "push", Err: fmt.Errorf("%w: no notifier for platform %q", delivery.ErrUnsupported, n.Platform)}
}
