// Package push is the phone-app second step: the user approves a sign-in
// in an app on their phone by picking the number the login page shows
// (number matching), as Microsoft, Duo and Okta do against push bombing.
//
// twostep ships no app. It ships the server side (this package), an open
// protocol that a host's own iOS or Android app implements (PROTOCOL.md,
// beside this file), a reference client (push/pushclient) and senders for
// the push services (push/fcm, push/apns, modules of their own).
//
// A Factor is three things at once: a factor.Factor of kind Kind for the
// Manager's Config.Factors, the factor.Sender for push messages (route Kind
// to it), and the http.Handler the app talks to. Bind attaches it to its
// Manager:
//
//	p, err := push.New(push.Config{URL: "https://example.com/twostep/push", Issuer: "Example", Notifier: fcmSender})
//	m, err := factor.NewManager(factor.Config{Store: st, Factors: []factor.Factor{p}, Sender: factor.Router{push.Kind: p}})
//	err = p.Bind(m)
//	mux.Handle("/twostep/push/", p)
//
// Enrolment: Factor.Enroll creates a pending enrollment through the
// Manager's Enroll (its policy applies) with a one-time secret kept only as
// a keyed hash, and returns the URI to show as a QR code. The app registers
// its P-256 key with it; the Manager then confirms the enrollment.
//
// Login: Factor.Challenge sends a sign-in request through the Manager's
// Challenge, which runs it as a keypad challenge (factor.DeviceApprover):
// its send budgets and failure accounting apply. The page shows
// Sent.ScreenDigits and polls Factor.Status; once approved it completes the
// login with the Manager's Verify, the ChallengeID and an empty code.
package push
