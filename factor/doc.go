// Package factor is the core of twostep: the Manager that holds all shared
// two-step verification policy, the Enrollment model, the Store interfaces a
// host may implement, and the Sender interface through which codes leave the
// process.
//
// A host application keeps its own users, passwords and sessions. After the
// password step it asks the Manager to verify a second factor:
//
//	app, err := totp.New(totp.Config{Issuer: "Example"})
//	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{app}})
//	...
//	_, err = m.Verify(ctx, factor.Answer{UserID: "alice", EnrollmentID: id, Code: code}, time.Now())
//
// The Manager counts every attempt against the user before it compares a
// code, locks the user after too many failures, makes every one-time code
// single use through compare-and-swap in the Store, seals factor secrets at
// rest and stores codes only as keyed hashes. Factors are small: a Kind and,
// depending on how their codes come about, a Verify method (codes the factor
// checks itself, such as authenticator apps) or a Compose method (codes the
// Manager generates and a Sender delivers, such as SMS).
package factor
