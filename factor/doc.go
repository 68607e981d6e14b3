// Package factor is the core of twostep: the Manager that holds all shared
// two-step verification policy, the Enrollment model, the Store interfaces a
// host may implement, and the Sender interface through which codes leave the
// process.
//
// A host application keeps its own users, passwords and sessions. After the
// password step it asks the Manager to verify a second step:
//
//	app, err := totp.New(totp.Config{Issuer: "Example"})
//	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{app}})
//	...
//	res, err := m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: id, Code: code}, time.Now())
//
// The Manager counts every attempt against the user before it compares a
// code, locks the user after too many failures, makes every one-time code
// single use through compare-and-swap in the Store, seals factor secrets at
// rest and stores codes only as keyed hashes. Factors are small: a Kind and,
// depending on how their codes come about, a Verify method (codes the factor
// checks itself, such as authenticator apps) or a Compose method (codes the
// Manager generates and a Sender delivers, such as SMS).
//
// # The Manager's methods
//
// Every method of the Manager is something a host calls: enrolling and
// confirming (Enroll, Confirm, Enrollments, SetPrimary, Remove, Disable),
// logging in (Status, Skip, Challenge, Resend, ChallengeStatus, Verify),
// voice keypad callbacks (ApproveKeypad, called by voice.Handler or a
// host's own webhook), activation codes (IssueActivationCode, Activate),
// the service desk (Overview, Reset, Unlock) and key rotation (Reseal).
//
// # Building on the Manager
//
// Packages that add a second step or something beside it, such as
// recovery codes (package recovery) and trusted devices (package trust),
// build on a Manager through its Extension, and only through it:
//
//   - Extension.Store and Extension.Sealer persist their records and key
//     the hashes of their codes and tokens, with a purpose of their own
//     bound into every hash (Sealer.MAC);
//   - Extension.Guard runs a check of their own as one counted attempt,
//     with the lockout every second step shares, so that a recovery code
//     cannot be guessed beside an authenticator code;
//   - Extension.Changed records a change of the user's enrollments: the
//     audit event, the user's notification and the revocation of trusted
//     devices; Extension.Emit records any other event;
//   - Extension.RecordDelivery records a provider's delivery receipt on
//     a challenge, as the status callback handlers of sms/twilio and
//     voice/twilio do, so that ChallengeStatus can report a code that did
//     not arrive; it counts no attempt and charges nothing;
//   - Extension.Rand, Extension.NewID and Extension.Logger give the
//     Manager's randomness, identifiers and logger, so that tests that fix
//     them fix them everywhere.
//
// A new kind of factor that checks codes itself implements Verifier; one
// whose codes the Manager sends implements Challenger; both are then used
// through the Manager's ordinary methods.
package factor
