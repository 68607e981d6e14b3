// Package passkey adds passkeys and security keys (WebAuthn) to a
// factor.Manager: as a second step after a password, and optionally as a
// passwordless login. The WebAuthn ceremonies are checked by
// github.com/go-webauthn/webauthn; twostep supplies the policy, storage and
// accounting around them.
//
// A passkey is an ordinary enrollment of kind Kind. Put Factor among the
// Manager's factors and build the ceremonies with New:
//
//	m, err := factor.NewManager(factor.Config{..., Factors: []factor.Factor{app, passkey.Factor{}}})
//	pk, err := passkey.New(m, passkey.Config{RPID: "example.com", Origins: []string{"https://example.com"}})
//
// # Registration
//
// BeginRegistration creates a pending enrollment through Manager.Enroll,
// so the Manager's policy decides whether the user may add a method
// (activation codes, a recent second step), and returns the options for
// navigator.credentials.create. FinishRegistration verifies the browser's
// response and confirms the enrollment through Manager.Confirm, with the
// name the user chose as its Label. The enrollment's State keeps the
// credential: its ID, public key and algorithm, signature counter, AAGUID,
// transports, attachment and the backup eligibility and state flags. None
// of it is secret; it is a public key and what the authenticator said.
//
// List describes the user's passkeys for a settings page: name, when
// registered and last used, and whether each is synced or bound to one
// device. Rename gives one a new name; that is recorded (EventRenamed) but
// is not a change of factors, so it needs no step-up and trusted devices
// stay. Removing and resetting passkeys are the Manager's ordinary Remove
// (a step-up; never the last method while two-step verification is
// required) and Reset.
//
// # Login as the second step
//
// BeginLogin returns options for navigator.credentials.get that allow only
// the user's passkeys; FinishLogin checks the assertion. It is an attempt
// like any other second step (factor.Extension.Guard): counted against the
// user before it is checked, refused while the user is locked, and it
// resets the failures when it passes. The ceremony's session data (every
// field go-webauthn keeps in webauthn.SessionData) is stored server-side
// with the user's passkey enrollments, expires after Config.CeremonyTTL (at
// most 5 minutes) and is single use: finishing it is a compare-and-swap of
// the enrollment, so of concurrent finishes exactly one passes.
//
// A signature counter that does not go up hints at a cloned authenticator:
// it is recorded as EventSignCountRegressed and, with
// Config.RefuseSignCountRegression, refused. A change of the backup
// eligibility flag, which iCloud Keychain reports once a passkey has
// synced, is adopted and recorded as EventBackupEligibilityChanged instead
// of locking the user out.
//
// # Passwordless login
//
// With Config.Passwordless, BeginPasswordless returns options without a
// user (for a "Sign in with a passkey" button, or for autofill with
// mediation "conditional" and an input with autocomplete="username
// webauthn"), and FinishPasswordless finds the user by the passkey's user
// handle, a random value per user that is never the host's user ID. The
// store must implement factor.HandleStore.
//
// A passwordless login requires user verification: the authenticator
// checked a PIN or biometric on a device the user holds. NIST SP 800-63B
// rev. 4 counts such a passkey as a multi-factor authenticator that is
// phishing resistant, so a host may treat the login as both steps; whether
// it does is the host's decision. Failed passwordless attempts do not count
// against the lockout of the user they name, because anybody can name any
// user handle; they are throttled per client and per credential instead.
//
// Nothing secret, and no challenge, is ever logged or put in an error.
package passkey
