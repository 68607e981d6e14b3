// Package smtp delivers email codes through an SMTP server, using
// github.com/wneessen/go-mail.
//
// A Sender sends each factor.Message as a multipart/alternative mail with
// Message.Text as the plain-text part and Message.HTML, when set, as the
// HTML part, under Message.Subject. Its Message-ID is random and on the
// From address's domain, and no header names the mailer software. Every
// Send opens its own connection, bounded by the Send's context and
// Config.Timeout.
//
// The connection is encrypted by default: the zero Config requires
// STARTTLS and refuses a server that does not offer it, before any
// password is sent. Of the login mechanisms a server offers, SCRAM is
// preferred, then PLAIN and LOGIN (always over TLS); CRAM-MD5 and NTLM
// only when the server offers nothing else. ImplicitTLS speaks TLS from the first byte (SMTPS,
// port 465). NoTLS is for a local development mail catcher only.
//
// Failures are *delivery.Error values with Provider "smtp", the server's
// reply code in Code, and a reason of package delivery:
// ErrInvalidAddress (refused before sending, or a recipient the server
// says does not exist), ErrUnauthorized (a refused login: reply 530, 534
// or 535), ErrRefused (any other permanent reply, a certificate that does
// not verify, a failed handshake, or a server that does not offer
// STARTTLS while the Config requires it), ErrUnavailable (network
// failures, timeouts and temporary 4xx replies; retryable, see
// failover.Sender) or ErrUnsupported (a message that is not an email, or
// has no subject or text). Errors never contain the password, the code,
// the bodies, the recipient's address or the server's reply text, which
// may echo any of them.
package smtp
