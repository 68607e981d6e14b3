// Scaffolding: anonymous sessions that cost the server nothing, as any
// public login page needs; this file does not call twostep.

package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Anonymous sessions are not stored: a browser that has not entered a
// password gets a random ID with the prefix anonPrefix, and the CSRF token
// of its forms is an HMAC of that ID under a key of this process, so any
// number of cookie-less requests (a crawler, a flood) stores nothing. What
// an anonymous session may carry, a flash message ("you are logged out",
// "your session expired") and a passwordless login begun on the login
// page, goes into bounded tables (anonTable) in which the oldest entry
// gives way. A session is
// stored from the password step on, when it gets a new ID without the
// prefix (sessions.rotate).
const (
	anonPrefix = "a."
	anonCap    = 10000 // entries of an anonTable kept at most
)

// anonID returns a new anonymous session ID.
func anonID() string { return anonPrefix + randomToken() }

// isAnonID reports whether id has the form of an anonymous session ID: the
// prefix and 256 bits, URL-safe. Stored session IDs have no dot.
func isAnonID(id string) bool {
	tok, ok := strings.CutPrefix(id, anonPrefix)
	if !ok || len(tok) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(tok)
	return err == nil
}

// anonCSRF is the CSRF token of an anonymous session.
func (s *sessions) anonCSRF(id string) string {
	mac := hmac.New(sha256.New, s.csrfKey)
	mac.Write([]byte("webapp anonymous csrf\x00" + id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// anonTable holds one string per anonymous session (a flash message, or
// a passwordless login begun), at most anonCap of them; a new one pushes
// out the oldest. Losing one costs a user only a message or one more try
// of a passkey. The caller holds sessions.mu.
type anonTable struct {
	text  map[string]string
	order []string // IDs in the order their messages came; may hold IDs already gone
}

func (f *anonTable) get(id string) string { return f.text[id] }

// set keeps msg for id, or forgets id's message when msg is empty.
func (f *anonTable) set(id, msg string) {
	if msg == "" {
		delete(f.text, id)
		return
	}
	if _, ok := f.text[id]; !ok {
		for len(f.text) >= anonCap {
			delete(f.text, f.order[0])
			f.order = f.order[1:]
		}
		f.order = append(f.order, id)
	}
	f.text[id] = msg
	if len(f.order) > 2*anonCap { // drop the IDs whose message is gone
		live := f.order[:0:0]
		for _, o := range f.order {
			if _, ok := f.text[o]; ok {
				live = append(live, o)
			}
		}
		f.order = live
	}
}

// len is the number of messages kept.
func (f *anonTable) len() int { return len(f.text) }
