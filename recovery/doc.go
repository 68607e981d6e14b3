// Package recovery implements one-time recovery codes: the codes a user
// writes down or keeps in a password manager, for the day their phone is
// lost or stolen.
//
// Codes, made by New from a Config, generates a set of codes for a user
// (Generate), redeems one of them at login (Redeem) and tells how many are
// left (Remaining). By default a set is 10 codes of 16 characters of
// Crockford's base32 alphabet in groups of four, such as
// 5T7G-XZX8-C8MW-PQ3D: 80 bits of crypto/rand each, generated five bits per
// character so that no character is likelier than another.
//
// Only keyed hashes of the codes are stored (HMAC-SHA256 under the
// Manager's key, bound to the user), and the hash of an attempt is looked up
// directly, so checking a code costs one keyed hash however many codes
// remain. Users may type codes in any order and any case, with or without
// spaces and dashes, and with the look-alikes O for 0 and I or L for 1.
//
// Redeeming a code is a change to the user's factors: it is single use even
// under concurrent attempts, emits factor.EventRecoveryUsed and revokes the
// user's trusted devices. A wrong code counts against the user's failure
// budget, which every factor shares, so recovery codes cannot be guessed
// faster than any other code.
package recovery
