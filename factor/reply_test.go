package factor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/twostep/twostep/factor"
)

// replyCase is an error and the reply it must get.
type replyCase struct {
	err    error
	status int
	retry  time.Duration
}

// covers reports whether the case tests err: the same sentinel, or the
// same typed error such as *factor.LockedError.
func (c replyCase) covers(err error) bool {
	var le *factor.LockedError
	var rl *factor.RateLimitError
	switch {
	case errors.As(err, &le):
		return errors.As(c.err, &le)
	case errors.As(err, &rl):
		return errors.As(c.err, &rl)
	}
	return c.err == err
}

func TestReplyFor(t *testing.T) {
	generic := "Something went wrong. Please try again later."
	cases := []replyCase{
		{nil, 200, 0},
		{&factor.LockedError{RetryAfter: 90 * time.Second}, 429, 90 * time.Second},
		{factor.ErrLocked, 429, 0},
		{&factor.RateLimitError{Scope: "user", RetryAfter: time.Hour}, 429, time.Hour},
		{&factor.RateLimitError{Scope: "resend", RetryAfter: 30 * time.Second}, 429, 30 * time.Second},
		{&factor.RateLimitError{Scope: "remove", RetryAfter: 1500 * time.Millisecond}, 429, 1500 * time.Millisecond},
		{factor.ErrRateLimited, 429, 0},
		{factor.ErrInvalidCode, 422, 0},
		{factor.ErrChallengeRequired, 422, 0},
		{factor.ErrMalformed, 400, 0},
		{&factor.InputError{Field: "code", Reason: "too long"}, 400, 0},
		{factor.ErrChallengeMismatch, 400, 0},
		{factor.ErrUnknownKind, 400, 0},
		{factor.ErrTooManyPending, 409, 0},
		{factor.ErrNotConfirmed, 409, 0},
		{factor.ErrConflict, 409, 0},
		{factor.ErrStepUpRequired, 403, 0},
		{factor.ErrNotAllowed, 403, 0},
		{factor.ErrRequired, 403, 0},
		{factor.ErrEmailFallback, 403, 0},
		{factor.ErrKindNotOffered, 403, 0},
		{factor.ErrLinkRequired, 403, 0},
		{factor.ErrNoAccountEmail, 403, 0},
		{factor.ErrLinkInvalid, 422, 0},
		{factor.ErrLastEnrollment, 403, 0},
		{factor.ErrNoActivationCode, 403, 0},
		{factor.ErrActivationExpired, 403, 0},
		{factor.ErrActivationUsed, 403, 0},
		{factor.ErrActivationRequired, 403, 0},
		{factor.ErrNotFound, 404, 0},
		{factor.ErrDelivery, 502, 0},
		{factor.ErrSealed, 500, 0},
		{factor.ErrInvalidConfig, 500, 0},
		{context.DeadlineExceeded, 500, 0},
		{errors.New("database is on fire"), 500, 0},
	}
	for _, c := range cases {
		name := fmt.Sprint(c.err)
		t.Run(name, func(t *testing.T) {
			wrapped := c.err
			if c.err != nil {
				wrapped = fmt.Errorf("handler: %w", c.err)
			}
			r := factor.ReplyFor(wrapped, "en")
			assert.Equal(t, c.status, r.Status)
			assert.Equal(t, c.retry, r.RetryAfter)
			assert.Equal(t, factor.UserMessage(c.err, "en"), r.Message)
			assert.Equal(t, factor.UserMessage(c.err, "nl"), factor.ReplyFor(wrapped, "nl").Message)
			if c.status == 500 && !errors.Is(c.err, factor.ErrSealed) {
				assert.Equal(t, generic, r.Message, "operational errors get the generic text")
			}
		})
	}
	for _, err := range factor.UserErrors() {
		assert.True(t, slices.ContainsFunc(cases, func(c replyCase) bool { return c.covers(err) }), "no status case for %v", err)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "", -time.Second: "", time.Millisecond: "1", time.Second: "1", 1500 * time.Millisecond: "2", 15 * time.Minute: "900"} {
		assert.Equal(t, want, factor.ErrorReply{RetryAfter: d}.RetryAfterHeader(), "%v", d)
	}
}
