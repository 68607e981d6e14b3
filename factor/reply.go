package factor

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// ErrorReply is how an HTTP handler answers an error of the Manager or a
// package built on it: a status code, a text for the person and, for
// locks and send limits, how long to wait.
type ErrorReply struct {
	// Status is the HTTP status code: 429 for locks and send limits, 422
	// for a wrong code, 400 for malformed input or an unknown method, 403
	// when policy or a missing step-up refuses, 404 for an unknown
	// enrollment, 409 when the state does not allow it yet, 502 when a code
	// could not be delivered, and 500 for everything else. A nil error is
	// 200.
	Status int
	// Message is UserMessage's text for the error: never a secret, and a
	// generic text for operational errors.
	Message string
	// RetryAfter is how long to wait before trying again; zero when
	// waiting does not help.
	RetryAfter time.Duration
}

// ReplyFor maps err to its ErrorReply, the message in Dutch or English
// chosen from language as UserMessage does. Texts.ReplyFor does the same
// with the host's languages.
func ReplyFor(err error, language string) ErrorReply {
	return builtin.ReplyFor(err, language)
}

// ReplyFor maps err to its ErrorReply, the message in the language that
// best matches language.
func (t *Texts) ReplyFor(err error, language string) ErrorReply {
	r := ErrorReply{Status: httpStatus(err), Message: t.UserMessage(err, language)}
	var le *LockedError
	var rl *RateLimitError
	switch {
	case errors.As(err, &le):
		r.RetryAfter = le.RetryAfter
	case errors.As(err, &rl):
		r.RetryAfter = rl.RetryAfter
	}
	return r
}

// RetryAfterHeader returns the value of a Retry-After header: RetryAfter
// in whole seconds, rounded up, or "" when there is nothing to wait for.
func (r ErrorReply) RetryAfterHeader() string {
	if r.RetryAfter <= 0 {
		return ""
	}
	return strconv.FormatInt(int64((r.RetryAfter+time.Second-1)/time.Second), 10)
}

// httpStatus chooses the status code for err, more specific errors before
// the ones they wrap.
func httpStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrLocked), errors.Is(err, ErrRateLimited):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrInvalidCode):
		return http.StatusUnprocessableEntity
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrUnknownKind):
		return http.StatusBadRequest
	case errors.Is(err, ErrTooManyPending), errors.Is(err, ErrNotConfirmed), errors.Is(err, ErrConflict):
		return http.StatusConflict
	case errors.Is(err, ErrStepUpRequired), errors.Is(err, ErrNotAllowed), errors.Is(err, ErrLastEnrollment),
		errors.Is(err, ErrNoActivationCode), errors.Is(err, ErrActivationExpired), errors.Is(err, ErrActivationUsed),
		errors.Is(err, ErrActivationRequired):
		return http.StatusForbidden
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrDelivery):
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}
