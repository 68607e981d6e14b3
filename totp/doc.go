// Package totp implements authenticator apps as a second factor: time-based
// one-time passwords (TOTP, RFC 6238) built on HOTP (RFC 4226), the codes
// that Google Authenticator, Microsoft Authenticator, FreeOTP, 1Password and
// their kin show.
//
// A Factor, made by New from a Config, plugs into a factor.Manager. It
// generates the secret of a new enrollment (Prepare), tells a malformed code
// from a wrong one (NormalizeCode) and checks codes (Verify). Verify accepts
// a code only for a time step later than the last one accepted, which it
// records in Enrollment.Counter, so every code is accepted at most once.
//
// To enrol a user, the host shows the enrollment's secret as a Key: a QR
// code (Key.PNG, Key.DataURI) of the otpauth URI (Key.URI) for the phone's
// camera, and the secret as text (Key.Text) for typing it in. Users who
// bring a secret from elsewhere can import it with ParseSecret or ParseURI.
package totp
