package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"

	mail "github.com/wneessen/go-mail"

	"github.com/twostep/twostep/factor/delivery"
)

// provider names the SMTP server in a *delivery.Error.
const provider = "smtp"

// fail returns a *delivery.Error with the step that failed ("connect" or
// "send"; empty for a message refused before connecting), the server's
// reply code (0 for none) and the reason.
func fail(step string, code int, reason error) error {
	e := &delivery.Error{Provider: provider, Err: reason}
	if step != "" {
		e.Err = fmt.Errorf("%s: %w", step, reason)
	}
	if code != 0 {
		e.Code = strconv.Itoa(code)
	}
	return e
}

// connectError classifies a failure to dial, secure or log in. Only texts
// made on this side (network, TLS) are kept; a server reply keeps its code.
func connectError(err error) error {
	var (
		reply   *textproto.Error
		netErr  *net.OpError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
	)
	switch {
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		return fail("connect", 0, fmt.Errorf("%w: the server does not offer STARTTLS", delivery.ErrRefused))
	case errors.As(err, &reply):
		return fail("connect", reply.Code, byCode(reply.Code))
	case errors.As(err, &certErr):
		return fail("connect", 0, fmt.Errorf("%w: %w", delivery.ErrRefused, certErr))
	case errors.As(err, &recErr):
		return fail("connect", 0, fmt.Errorf("%w: %w", delivery.ErrRefused, recErr))
	case errors.As(err, &netErr):
		return fail("connect", 0, fmt.Errorf("%w: %w", delivery.ErrUnavailable, netErr))
	case errors.Is(err, context.DeadlineExceeded):
		return fail("connect", 0, fmt.Errorf("%w: %w", delivery.ErrUnavailable, context.DeadlineExceeded))
	case errors.Is(err, context.Canceled):
		return fail("connect", 0, fmt.Errorf("%w: %w", delivery.ErrUnavailable, context.Canceled))
	}
	return fail("connect", 0, delivery.ErrRefused)
}

// sendError classifies a failed mail transaction. Without a reply code
// the connection failed, which is worth another try. A recipient refused
// with an enhanced status saying that the mailbox or its domain does not
// exist is an invalid address.
func sendError(err error) error {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return fail("send", 0, delivery.ErrUnavailable)
	}
	code := se.ErrorCode()
	reason := byCode(code)
	switch {
	case code == 0 || se.IsTemp():
		reason = delivery.ErrUnavailable
	case se.Reason == mail.ErrSMTPRcptTo && badMailbox[se.EnhancedStatusCode()]:
		reason = delivery.ErrInvalidAddress
	}
	return fail("send", code, fmt.Errorf("%w: %s", reason, se.Reason))
}

// badMailbox holds the enhanced status codes (RFC 3463) that say a
// recipient does not exist: bad mailbox, bad domain, bad syntax, moved
// without a forwarding address, and a domain that accepts no mail (RFC
// 7505).
var badMailbox = map[string]bool{"5.1.1": true, "5.1.2": true, "5.1.3": true, "5.1.6": true, "5.1.10": true}

// byCode maps an SMTP reply code to a reason: a temporary reply (4xx) is
// worth another try, a refused login (RFC 4954: 530, 534, 535) means the
// credentials are wrong, and any other reply is a refusal.
func byCode(code int) error {
	switch {
	case code >= 400 && code < 500:
		return delivery.ErrUnavailable
	case code == 530 || code == 534 || code == 535:
		return delivery.ErrUnauthorized
	}
	return delivery.ErrRefused
}
