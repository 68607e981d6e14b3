package passkey

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"time"

	"github.com/twostep/twostep/factor"
)

// Kind is the kind of factor of a passkey enrollment.
const Kind factor.Kind = "passkey"

// Factor is the passkey kind of factor, for factor.Config.Factors. Put it
// there so that the Manager's policy offers passkeys and Manager.Enroll
// accepts them; the ceremonies themselves are Passkeys' methods.
//
// As a factor.Verifier it accepts only the one-time token with which
// Passkeys.FinishRegistration confirms an enrollment whose registration
// ceremony it verified, so that confirming goes through Manager.Confirm
// like every other kind of factor. Passkeys never answer Manager.Verify at
// login: a login assertion is finished by Passkeys.FinishLogin.
type Factor struct{}

var _ factor.Verifier = Factor{}

// Kind returns Kind.
func (Factor) Kind() factor.Kind { return Kind }

// Verify accepts code if e holds a registered credential and code is the
// token its registration ceremony left; the token is single use.
func (Factor) Verify(_ context.Context, e *factor.Enrollment, code string, _ time.Time) error {
	st, err := readState(e)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(code))
	if st.Credential == nil || len(st.ConfirmHash) != len(sum) || subtle.ConstantTimeCompare(st.ConfirmHash, sum[:]) != 1 {
		return factor.ErrInvalidCode
	}
	st.ConfirmHash = nil
	return writeState(e, st)
}
