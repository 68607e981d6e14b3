// Package trust remembers devices after a successful second step, so that a
// user who ticks "remember me" is not asked for a code on that browser for a
// while: 12 hours, a day, three days or a week by default, never more than
// the configured maximum (30 days by default).
//
// Devices, made by New from a Config, issues a token for a device
// (Remember) and answers whether a token makes a device trusted for a user
// (Check). A token is a random selector, which is the device's ID, and a
// 256-bit random validator; the Store keeps only a keyed hash of the
// validator, compared in constant time. Tokens expire at an absolute time
// that use never extends.
//
// Tokens die when their time is up, when the user's factors change
// (factor.Manager.FactorsChanged deletes the user's devices: a new or
// removed enrollment, an admin reset, a redeemed recovery code), and when the
// host says so: Revoke for one device, RevokeAll for all of them, on a
// password change for instance. Users can list their devices.
//
// The token travels in a cookie: SetCookie, TokenFromRequest and
// ClearCookie handle a __Host- cookie that is Secure, HttpOnly,
// SameSite=Lax and scoped to the whole site. A missing, garbled or tampered
// cookie simply means the device is not trusted.
package trust
