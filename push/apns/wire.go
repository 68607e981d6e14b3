package apns

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/twostep/twostep/factor/delivery"
)

// payload is the JSON body of a push: Apple's "aps" dictionary and the
// app's own data beside it.
type payload struct {
	APS        aps    `json:"aps"`
	Challenge  string `json:"challenge"`
	Enrollment string `json:"enrollment"`
}

// aps shows an alert with a sound; time-sensitive lets it through a
// Focus, as a sign-in the user is waiting for should.
type aps struct {
	Alert             alert  `json:"alert"`
	Sound             string `json:"sound"`
	InterruptionLevel string `json:"interruption-level"`
}

type alert struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
}

// classify maps APNs' error answer, {"reason": "BadDeviceToken"}, to its
// reason string and one of delivery's reasons:
//
//   - Unregistered, ExpiredToken (410), BadDeviceToken and
//     DeviceTokenNotForTopic (400): the token will never work for this
//     app again; ErrUnregistered.
//   - BadTopic, MissingTopic, TopicDisallowed: the configured Topic is
//     wrong; ErrSenderInvalid.
//   - 403 (ExpiredProviderToken, InvalidProviderToken, Forbidden, …):
//     ErrUnauthorized.
//   - TooManyRequests, TooManyProviderTokenUpdates (429): ErrThrottled.
//   - InternalServerError (500), ServiceUnavailable and Shutdown (503):
//     ErrUnavailable.
//
// Anything else falls back to the HTTP status (another 400 or a 413 is
// ErrRefused).
func classify(_ int, raw []byte) (string, error) {
	var b struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal(raw, &b) != nil || !alnum(b.Reason, 0) {
		return "", nil
	}
	switch b.Reason {
	case "Unregistered", "ExpiredToken", "BadDeviceToken", "DeviceTokenNotForTopic":
		return b.Reason, delivery.ErrUnregistered
	case "BadTopic", "MissingTopic", "TopicDisallowed":
		return b.Reason, delivery.ErrSenderInvalid
	}
	return b.Reason, nil
}

// errorCode returns the APNs reason of a failed request, or "".
func errorCode(err error) string {
	var de *delivery.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

// deviceToken reports whether s can be an APNs device token: hex digits,
// an even number of them, 32 bytes today and at most 100.
func deviceToken(s string) bool {
	if len(s) < 16 || len(s) > 200 || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// alnum reports whether s is ASCII letters and digits, of length n (or of
// 1 to 64 bytes when n is 0).
func alnum(s string, n int) bool {
	if n > 0 && len(s) != n || n == 0 && (len(s) == 0 || len(s) > 64) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// bundleID reports whether s looks like a bundle ID, such as
// "com.example.app": dot-separated parts of ASCII letters, digits and
// dashes.
func bundleID(s string) bool {
	if len(s) > 155 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !alnum(strings.ReplaceAll(part, "-", "x"), 0) {
			return false
		}
	}
	return true
}
