package fcm

import (
	"encoding/json"

	"github.com/twostep/twostep/factor/delivery"
)

// request is the body of projects.messages.send.
type request struct {
	Message message `json:"message"`
}

// message is FCM's Message, with the fields a sign-in request uses.
type message struct {
	Token        string            `json:"token"`
	Notification notification      `json:"notification"`
	Data         map[string]string `json:"data"`
	Android      android           `json:"android"`
	APNs         apnsConfig        `json:"apns"`
}

type notification struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
}

// android is FCM's AndroidConfig: a high priority wakes the app at once,
// even in Doze; ttl is a duration in seconds such as "120s".
type android struct {
	Priority    string `json:"priority"`
	TTL         string `json:"ttl"`
	CollapseKey string `json:"collapse_key"`
}

// apnsConfig is FCM's ApnsConfig: the headers and payload of the APNs
// request FCM makes for an iOS app.
type apnsConfig struct {
	Headers map[string]string `json:"headers"`
	Payload apnsPayload       `json:"payload"`
}

type apnsPayload struct {
	APS aps `json:"aps"`
}

type aps struct {
	Alert notification `json:"alert"`
	Sound string       `json:"sound"`
}

// errorBody is FCM's error answer, a google.rpc.Status:
// {"error": {"code": 404, "status": "NOT_FOUND", "message": …,
// "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
// "errorCode": "UNREGISTERED"}]}}. The message is not kept: it may repeat
// the token.
type errorBody struct {
	Error struct {
		Status  string `json:"status"`
		Details []struct {
			Type            string `json:"@type"`
			ErrorCode       string `json:"errorCode"`
			FieldViolations []struct {
				Field string `json:"field"`
			} `json:"fieldViolations"`
		} `json:"details"`
	} `json:"error"`
}

const (
	fcmErrorType   = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
	badRequestType = "type.googleapis.com/google.rpc.BadRequest"
)

// classify maps FCM's error answer to its error code (the FcmError's
// errorCode, else the status) and a reason:
//
//   - UNREGISTERED: the app is gone or its token expired;
//     ErrUnregistered.
//   - INVALID_ARGUMENT: a token FCM cannot read is ErrUnregistered, like
//     an unregistered one; an answer that names another field of the
//     message as the invalid one is ErrRefused.
//   - SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, UNAUTHENTICATED,
//     PERMISSION_DENIED: ErrUnauthorized (the token belongs to another
//     project, or the project's APNs credentials are refused).
//   - QUOTA_EXCEEDED: ErrThrottled; UNAVAILABLE, INTERNAL: ErrUnavailable.
//
// Anything else falls back to the HTTP status.
func classify(_ int, raw []byte) (string, error) {
	var b errorBody
	if json.Unmarshal(raw, &b) != nil {
		return "", nil
	}
	code, otherField := ident(b.Error.Status), false
	for _, d := range b.Error.Details {
		switch d.Type {
		case fcmErrorType:
			if c := ident(d.ErrorCode); c != "" {
				code = c
			}
		case badRequestType:
			for _, v := range d.FieldViolations {
				otherField = otherField || v.Field != "message.token"
			}
		}
	}
	switch code {
	case "UNREGISTERED":
		return code, delivery.ErrUnregistered
	case "INVALID_ARGUMENT":
		if otherField {
			return code, delivery.ErrRefused
		}
		return code, delivery.ErrUnregistered
	case "SENDER_ID_MISMATCH", "THIRD_PARTY_AUTH_ERROR", "UNAUTHENTICATED", "PERMISSION_DENIED":
		return code, delivery.ErrUnauthorized
	case "QUOTA_EXCEEDED":
		return code, delivery.ErrThrottled
	case "UNAVAILABLE", "INTERNAL":
		return code, delivery.ErrUnavailable
	}
	return code, nil
}

// ident returns s if it is a short upper-case or lower-case identifier,
// such as "UNREGISTERED" or "invalid_grant", and "" otherwise.
func ident(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return ""
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return ""
		}
	}
	return s
}
