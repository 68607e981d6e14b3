package factor_test

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

// The leak check of the hardened world (hardening_leak_test.go). The
// end-to-end TestNoSecretLeaks, which drives the sms, voice and provider
// packages, lives in internal/integration/factor, a module of its own (the
// root module's tests may not import those modules), with its own copy of
// this type.

// minSecret is the shortest value the leak check searches for: shorter
// ones, such as the two keypad digits, occur everywhere by chance.
const minSecret = 6

// leakCheck collects every secret a test handles and everything that
// leaves the library in the open (log output, audit events and
// notifications, errors and the user messages made of them) and fails the
// test if any of the latter holds any of the former.
type leakCheck struct {
	t       *testing.T
	logs    *factortest.LogBuffer
	events  *eventLog
	mu      sync.Mutex
	secrets map[string]string // secret → what it is
	errs    []error
}

// secret records values as secrets of the given kind, in the forms they
// could leak in.
func (l *leakCheck) secret(what string, values ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range values {
		for _, form := range []string{v, strings.ToLower(v), strings.ReplaceAll(v, "-", ""), strings.ReplaceAll(v, " ", "")} {
			if len(form) >= minSecret {
				l.secrets[form] = what
			}
		}
	}
}

// bytes records a binary secret in the encodings it could leak in.
func (l *leakCheck) bytes(what string, b []byte) {
	l.secret(what, string(b), hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b),
		fmt.Sprintf("%v", b), fmt.Sprintf("%q", b))
}

// err records err, if any, and returns it.
func (l *leakCheck) err(err error) error {
	if err != nil {
		l.mu.Lock()
		l.errs = append(l.errs, err)
		l.mu.Unlock()
	}
	return err
}

// outputs is everything that left the library in the open, by origin.
func (l *leakCheck) outputs() map[string]string {
	out := map[string]string{"log": l.logs.String()}
	for i, err := range l.errs {
		out[fmt.Sprintf("error %d", i)] = fmt.Sprintf("%v | %+v | %#v", err, err, err.Error())
		out[fmt.Sprintf("user message %d", i)] = factor.UserMessage(err, "en") + factor.UserMessage(err, "nl")
	}
	l.events.mu.Lock()
	defer l.events.mu.Unlock()
	for i, e := range l.events.events {
		out[fmt.Sprintf("event %d (%s)", i, e.Type)] = fmt.Sprintf("%+v", e)
	}
	return out
}
