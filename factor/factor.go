package factor

import (
	"context"
	"time"
)

// Factor is one kind of second factor. It is deliberately small; what a
// factor can do beyond naming its kind it says by implementing the optional
// interfaces below, which the Manager finds by type assertion.
type Factor interface {
	// Kind names the kind of factor; the Manager holds one per kind.
	Kind() Kind
}

// Verifier is implemented by factors that check codes themselves, such as
// authenticator apps.
type Verifier interface {
	Factor
	// Verify checks code for e at now, using only the server's clock. A
	// wrong, replayed or out-of-window code is an error wrapping
	// ErrInvalidCode; any other error is operational. On success Verify
	// records what makes the code single use (e.Counter, e.State); the
	// Manager then saves e with compare-and-swap, so that of two
	// concurrent successes only one is accepted. Verify must compare in
	// constant time, must not log the code or the secret, and must not
	// modify e.Secret, which the Manager may share between calls.
	Verify(ctx context.Context, e *Enrollment, code string, now time.Time) error
}

// Challenger is implemented by factors whose codes the Manager generates and
// a Sender delivers: SMS, voice and email.
type Challenger interface {
	Factor
	// Compose builds the message that delivers code to e in the language
	// with the given BCP 47 tag. c describes the challenge; c.Keypad asks
	// for a voice call answered on the keypad.
	Compose(e *Enrollment, c *Challenge, code, lang string) (Message, error)
}

// Preparer is implemented by factors that check or normalise an enrollment
// before it is stored, such as parsing a phone number into E.164.
type Preparer interface {
	Factor
	// Prepare validates e in place. Bad input is an error wrapping
	// ErrMalformed, and then nothing is stored.
	Prepare(e *Enrollment) error
}

// CodeNormalizer is implemented by factors that can tell a malformed code
// from a wrong one without any secret. The Manager calls it before an
// attempt is counted, so a typo such as a letter in a numeric code gets a
// clear error and changes nothing.
type CodeNormalizer interface {
	Factor
	// NormalizeCode returns code in canonical form (spaces removed, for
	// example) or an error wrapping ErrMalformed.
	NormalizeCode(code string) (string, error)
}
