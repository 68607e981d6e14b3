// Package provider is the plumbing shared by the senders that call a
// provider's HTTP API (Twilio, Bird): request execution with a deadline,
// the mapping of error answers to the reasons of package delivery, and
// checks of configuration and messages.
//
// Nothing here ever puts a credential, a code, a message body or a full
// phone number into an error string.
package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/twostep/twostep/factor/delivery"
)

// maxBody caps how much of a provider's answer is read.
const maxBody = 64 << 10

// UserAgent identifies twostep to providers.
const UserAgent = "twostep (+https://github.com/twostep/twostep)"

// Classifier maps a provider's error answer to the provider's code and a
// reason. It returns a nil reason when it does not recognise the answer;
// Do then falls back to the HTTP status.
type Classifier func(status int, body []byte) (code string, reason error)

// Client sends requests to one provider.
type Client struct {
	// Provider names the provider in errors, such as "twilio".
	Provider string
	// HTTP is the client that sends the requests; never nil.
	HTTP *http.Client
	// Timeout bounds each request, answer included.
	Timeout time.Duration
	// Classify maps error answers; nil means by HTTP status only.
	Classify Classifier
}

// Do sends req bounded by c.Timeout and ctx, and returns nil for a 2xx
// answer. Any other outcome is a *delivery.Error. Do closes the response body.
func (c *Client) Do(ctx context.Context, req *http.Request) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	req.Header.Set("User-Agent", UserAgent)
	resp, err := c.HTTP.Do(req.WithContext(ctx))
	if err != nil {
		return c.transportError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil // the provider accepted the message; a short read of its receipt does not matter
	}
	if err != nil {
		return c.transportError(err)
	}
	return c.answerError(resp, body)
}

// transportError reports a request that got no usable answer. The URL is
// dropped from url.Error: it names the account.
func (c *Client) transportError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return &delivery.Error{Provider: c.Provider, Err: fmt.Errorf("%w: %w", delivery.ErrUnavailable, err)}
}

// answerError maps an error answer to a *delivery.Error.
func (c *Client) answerError(resp *http.Response, body []byte) error {
	e := &delivery.Error{Provider: c.Provider, Status: resp.StatusCode}
	if c.Classify != nil {
		e.Code, e.Err = c.Classify(resp.StatusCode, body)
	}
	if e.Err == nil {
		e.Err = ByStatus(resp.StatusCode)
	}
	if errors.Is(e.Err, delivery.ErrThrottled) || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// ByStatus maps an HTTP error status to a reason.
func ByStatus(status int) error {
	switch {
	case status == http.StatusTooManyRequests:
		return delivery.ErrThrottled
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return delivery.ErrUnauthorized
	case status == http.StatusRequestTimeout || status >= 500:
		return delivery.ErrUnavailable
	default:
		return delivery.ErrRefused
	}
}

// RetryAfter parses a Retry-After header, in seconds or as an HTTP date
// compared with now. It returns 0 for an absent, malformed or past value.
func RetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now).Round(time.Second), 0)
	}
	return 0
}
