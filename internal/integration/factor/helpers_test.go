package factor_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/twostep/twostep/factor"
)

// The helpers below are small copies of helpers in factor's own tests,
// which this module cannot import: a test file belongs to its package.

// t0 is the tests' "now": 1 July 2026, 09:00 UTC.
var t0 = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

// eventLog records the Manager's audit events and notifications.
type eventLog struct {
	mu     sync.Mutex
	events []factor.Event
}

func (l *eventLog) Event(_ context.Context, e factor.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) types() []factor.EventType {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []factor.EventType
	for _, e := range l.events {
		out = append(out, e.Type)
	}
	return out
}

// codeFor computes the 6-digit SHA-1 TOTP code of secret at t, with
// 30-second steps, independently of package totp.
func codeFor(secret []byte, t time.Time) string {
	mac := hmac.New(sha1.New, secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.Unix()/30))
	mac.Write(b[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// wrongDigits returns a numeric code of the same length that is not code.
func wrongDigits(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// errNotTrusted is what a trust check that says no becomes in tables where
// an operation either succeeds or fails.
var errNotTrusted = fmt.Errorf("%w: device not trusted", factor.ErrInvalidCode)

// switchSender sends through whichever Sender it holds at the time, so a
// test can set up with a working sender and then break it.
type switchSender struct {
	mu sync.Mutex
	to factor.Sender
}

func (s *switchSender) set(to factor.Sender) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.to = to
}

func (s *switchSender) Send(ctx context.Context, m factor.Message) error {
	s.mu.Lock()
	to := s.to
	s.mu.Unlock()
	return to.Send(ctx, m)
}

// tamper changes the last character of a token.
func tamper(token string) string {
	last := "A"
	if strings.HasSuffix(token, last) {
		last = "E"
	}
	return token[:len(token)-1] + last
}
