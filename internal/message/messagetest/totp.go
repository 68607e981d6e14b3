package messagetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

// TOTPCode computes the RFC 6238 code (SHA1, 6 digits, 30 s) of secret at
// now, as an authenticator app would.
func TOTPCode(secret []byte, now time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(now.Unix()/30))
	h := hmac.New(sha1.New, secret)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// EnrollTOTP enrolls and confirms an authenticator app for user; the
// Manager must have a factor of kind factor.KindTOTP with default settings.
func (e *Env) EnrollTOTP(tb testing.TB, user string) *factor.Enrollment {
	tb.Helper()
	ctx := context.Background()
	en, err := e.M.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, StepUp: e.StepUp(tb, user)}, e.Now())
	require.NoError(tb, err)
	code := TOTPCode(en.Secret, e.Now())
	e.Secret(code)
	require.NoError(tb, factortest.Err(e.M.Confirm(ctx, factor.Answer{UserID: user, EnrollmentID: en.ID, Code: code}, e.Now())))
	e.remember(user, confirmed{id: en.ID, secret: en.Secret})
	return &en.Enrollment
}
