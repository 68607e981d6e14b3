package factor_test

import (
	"log/slog"
	"strings"
	"time"

	"github.com/twostep/twostep/factor/factortest"
)

// leakWatch is a hardened world's leak check: the Manager logs at debug
// level into it, the world's audit events and the errors the tests record
// with err are searched, and when the test ends none of them may hold any
// secret the world handled (see leakCheck).
type leakWatch struct {
	*leakCheck
	logger *slog.Logger
}

// watchLeaks starts the world's leak check. The world's Manager must be
// built after it, with w.leak.logger.
func (w *world) watchLeaks() {
	logger, logs := factortest.NewLogger()
	l := &leakCheck{t: w.t, logs: logs, events: w.events, secrets: make(map[string]string)}
	l.bytes("a server key", keyOld.Secret)
	l.bytes("a server key", keyNew.Secret)
	l.bytes("a TOTP secret", aliceSecret)
	l.bytes("a TOTP secret", otherSecret)
	w.leak = &leakWatch{leakCheck: l, logger: logger}
	w.t.Cleanup(w.checkLeaks)
}

// tokenSecret records a trusted-device token and its secret half.
func (w *world) tokenSecret(token string) {
	_, validator, _ := strings.Cut(token, ".")
	w.leak.secret("a device token", token, validator)
}

// checkLeaks records the secrets the world holds when the test ends (every
// code sent through the recording sender, the TOTP codes of the steps the
// tests use, the recovery codes, the device token and the case's code, with
// the wrong codes made of them) and searches the log, the events and the
// recorded errors for every secret.
func (w *world) checkLeaks() {
	l := w.leak
	for _, m := range w.sender.Messages() {
		l.codeSecret("a delivered code", m.Code)
	}
	for _, secret := range [][]byte{aliceSecret, otherSecret} {
		// Setup an hour ago, a step-up a minute ago, and the window
		// around now with the expired steps the tests try.
		for _, at := range []time.Time{t0.Add(-time.Hour), w.now.Add(-time.Minute), w.now.Add(-3 * 30 * time.Second),
			w.now.Add(-2 * 30 * time.Second), w.now.Add(-30 * time.Second), w.now, w.now.Add(30 * time.Second)} {
			l.codeSecret("a TOTP code", codeFor(secret, at))
		}
	}
	l.secret("a recovery code", w.recovery...)
	w.tokenSecret(w.token)
	l.codeSecret("the case's code", w.code)

	l.mu.Lock()
	defer l.mu.Unlock()
	for where, text := range l.outputs() {
		for s, what := range l.secrets {
			if strings.Contains(text, s) {
				l.t.Errorf("%s leaks in %s", what, where)
			}
		}
	}
}

// codeSecret records a code and the wrong code wrongDigits makes of it,
// which the tests type too.
func (l *leakWatch) codeSecret(what, code string) {
	if code == "" {
		return
	}
	l.secret(what, code)
	if code[0] >= '0' && code[0] <= '9' {
		l.secret("a wrong code", wrongDigits(code))
	}
}
