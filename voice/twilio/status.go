package twilio

import (
	"net/http"
	"net/url"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/twilioapi"
)

// CallStatusHandler receives Twilio's status callbacks for the calls of a
// Sender with Config.StatusCallbackURL, and records them on their
// challenges (factor.Extension.RecordDelivery), so that ChallengeStatus
// reports ChallengeUndelivered for a call that did not reach the user and
// ChallengeDelivered for a spoken code that did. A receipt never counts
// against the user, charges or refunds nothing, and only moves a
// challenge's delivery forward: Twilio's retries and late or reordered
// callbacks are harmless.
//
// Twilio's CallStatus counts as follows: "ringing" and "in-progress" as
// factor.DeliverySent; "completed" as DeliveryDelivered, unless Twilio's
// answering-machine detection reported an AnsweredBy other than "human"
// (see Config.ScriptURL), which never hears the code: then
// DeliveryUndelivered, like "busy" and "no-answer"; "failed" and
// "canceled" as DeliveryFailed; the others ("queued", "initiated", and any
// status Twilio adds) report nothing.
//
// Replies: 405 for another method than POST; 403 for a request Validator
// refuses (or without a Validator), which changes nothing; 400 for a URL
// without the "challenge" and "send" the Sender added; 500 when the store
// fails; 204 otherwise, also for an unknown, used or expired challenge, so
// that Twilio stops trying. Nothing secret or personal is logged.
type CallStatusHandler struct {
	// Manager records the receipts. Required.
	Manager *factor.Manager
	// Validator checks Twilio's signature. Required.
	Validator *Validator
	// Clock returns the current time. Nil means time.Now.
	Clock func() time.Time
}

// ServeHTTP handles one status callback.
func (h *CallStatusHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var v Validator
	if h.Validator != nil {
		v = *h.Validator
	}
	rs := twilioapi.Receipts{
		Manager: h.Manager, Config: "twilio.CallStatusHandler",
		AuthToken: v.AuthToken, PublicURL: v.PublicURL, Read: callDelivery, Clock: h.Clock,
	}
	rs.ServeHTTP(w, r)
}

// callDelivery reads Twilio's CallStatus and AnsweredBy.
func callDelivery(form url.Values) (string, factor.Delivery) {
	status := form.Get("CallStatus")
	switch status {
	case "ringing", "in-progress":
		return status, factor.DeliverySent
	case "completed":
		if by := form.Get("AnsweredBy"); by != "" && by != Human {
			return status, factor.DeliveryUndelivered
		}
		return status, factor.DeliveryDelivered
	case "busy", "no-answer":
		return status, factor.DeliveryUndelivered
	case "failed", "canceled":
		return status, factor.DeliveryFailed
	}
	return status, factor.DeliveryUnknown
}
