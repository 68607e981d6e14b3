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

	"github.com/twostep/twostep/factor"
)

// Reasons a message was not delivered; test with errors.Is.
var (
	// ErrInvalidAddress means the recipient is not a valid email address.
	ErrInvalidAddress = errors.New("invalid email address")
	// ErrUnsupported means the message cannot be sent as an email at all:
	// another kind, no subject or no text. Nothing was sent.
	ErrUnsupported = errors.New("message not supported by this sender")
	// ErrNoStartTLS means the server does not offer STARTTLS while the
	// Config requires it. Nothing, not even the password, was sent.
	ErrNoStartTLS = errors.New("server does not offer STARTTLS")
	// ErrRefused means the server refused the connection, the login or
	// the message for good: a permanent (5xx) reply, a certificate that
	// does not verify, or a failed handshake.
	ErrRefused = errors.New("server refused")
	// ErrUnavailable means the server could not be reached, timed out or
	// answered with a temporary (4xx) reply. It is retryable.
	ErrUnavailable = errors.New("server unavailable")
)

// Error is a failed delivery. It wraps factor.ErrDelivery and one of the
// reasons above.
type Error struct {
	// Op is the step that failed: "connect" (dialling, TLS and login) or
	// "send" (the mail transaction); empty for a refused message.
	Op string
	// Code is the server's SMTP reply code, such as 550; 0 when there was
	// no reply.
	Code int
	// Err is the reason: one of the sentinel errors of this package,
	// possibly wrapping the network or TLS failure.
	Err error
}

// Error describes the failure without the server's reply text.
func (e *Error) Error() string {
	s := "smtp: "
	if e.Op != "" {
		s += e.Op + ": "
	}
	s += e.Err.Error()
	if e.Code != 0 {
		s += " (reply " + strconv.Itoa(e.Code) + ")"
	}
	return s
}

// Unwrap returns factor.ErrDelivery and the reason.
func (e *Error) Unwrap() []error { return []error{factor.ErrDelivery, e.Err} }

// Retryable reports whether trying again later or through another server
// may succeed: a network failure, a timeout or a temporary reply.
func (e *Error) Retryable() bool { return errors.Is(e.Err, ErrUnavailable) }

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
		return &Error{Op: "connect", Err: ErrNoStartTLS}
	case errors.As(err, &reply):
		return &Error{Op: "connect", Code: reply.Code, Err: byCode(reply.Code)}
	case errors.As(err, &certErr):
		return &Error{Op: "connect", Err: fmt.Errorf("%w: %w", ErrRefused, certErr)}
	case errors.As(err, &recErr):
		return &Error{Op: "connect", Err: fmt.Errorf("%w: %w", ErrRefused, recErr)}
	case errors.As(err, &netErr):
		return &Error{Op: "connect", Err: fmt.Errorf("%w: %w", ErrUnavailable, netErr)}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Op: "connect", Err: fmt.Errorf("%w: %w", ErrUnavailable, context.DeadlineExceeded)}
	case errors.Is(err, context.Canceled):
		return &Error{Op: "connect", Err: fmt.Errorf("%w: %w", ErrUnavailable, context.Canceled)}
	}
	return &Error{Op: "connect", Err: ErrRefused}
}

// sendError classifies a failed mail transaction. Without a reply code
// the connection failed, which is worth another try.
func sendError(err error) error {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return &Error{Op: "send", Err: ErrUnavailable}
	}
	code := se.ErrorCode()
	reason := byCode(code)
	if code == 0 || se.IsTemp() {
		reason = ErrUnavailable
	}
	return &Error{Op: "send", Code: code, Err: fmt.Errorf("%w: %s", reason, se.Reason)}
}

// byCode maps an SMTP reply code to a reason.
func byCode(code int) error {
	if code >= 400 && code < 500 {
		return ErrUnavailable
	}
	return ErrRefused
}
