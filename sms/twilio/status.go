package twilio

import (
	"net/http"
	"net/url"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/twilioapi"
)

// MessageStatusHandler receives Twilio's delivery receipts for the
// messages of a Sender with Config.StatusCallbackURL, and records them on
// their challenges (factor.Extension.RecordDelivery), so that
// ChallengeStatus reports ChallengeUndelivered for a code that did not
// arrive and ChallengeDelivered for one that did. A receipt never counts
// against the user, charges or refunds nothing, and only moves a
// challenge's delivery forward: Twilio's retries and late or reordered
// callbacks are harmless.
//
// Twilio's MessageStatus counts as follows: "sent" as factor.DeliverySent;
// "delivered" and "read" as DeliveryDelivered; "undelivered" as
// DeliveryUndelivered; "failed" and "canceled" as DeliveryFailed; the
// others ("queued", "accepted", "scheduled", "sending", and any status
// Twilio adds) report nothing. The ErrorCode of a failed message is
// logged.
//
// Requests are checked like voice/twilio's Validator checks them: the
// X-Twilio-Signature over PublicURL followed by the request URI, keyed by
// AuthToken. Replies: 405 for another method than POST; 403 for a bad
// signature (or without AuthToken and PublicURL), which changes nothing;
// 400 for a URL without the "challenge" and "send" the Sender added; 500
// when the store fails; 204 otherwise, also for an unknown, used or
// expired challenge, so that Twilio stops trying. Nothing secret or
// personal is logged.
type MessageStatusHandler struct {
	// Manager records the receipts. Required.
	Manager *factor.Manager
	// AuthToken is the account's primary auth token, with which Twilio
	// signs its requests even when messages are sent with an API key.
	// Required.
	AuthToken string
	// PublicURL is where Twilio reaches this server: the scheme, host and
	// any path prefix a proxy strips, such as "https://login.example.com".
	// Required.
	PublicURL string
	// Clock returns the current time. Nil means time.Now.
	Clock func() time.Time
}

// ServeHTTP handles one status callback.
func (h *MessageStatusHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rs := twilioapi.Receipts{
		Manager: h.Manager, Config: "twilio.MessageStatusHandler",
		AuthToken: h.AuthToken, PublicURL: h.PublicURL, Read: messageDelivery, Clock: h.Clock,
	}
	rs.ServeHTTP(w, r)
}

// messageDelivery reads Twilio's MessageStatus.
func messageDelivery(form url.Values) (string, factor.Delivery) {
	status := form.Get("MessageStatus")
	switch status {
	case "sent":
		return status, factor.DeliverySent
	case "delivered", "read":
		return status, factor.DeliveryDelivered
	case "undelivered":
		return status, factor.DeliveryUndelivered
	case "failed", "canceled":
		return status, factor.DeliveryFailed
	}
	return status, factor.DeliveryUnknown
}
