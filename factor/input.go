package factor

import (
	"unicode"
	"unicode/utf8"
)

// Bounds of the identifiers and texts the Manager takes from hosts.
const (
	maxUserID = 255 // a host's user identifier
	maxID     = 64  // an enrollment, challenge or device identifier
	maxLabel  = 100 // a name the user chose
	maxActor  = 255 // an admin or system named in the audit trail
	maxReason = 500 // an admin's reason, kept in the audit trail
)

// checkText refuses s when it is longer than max bytes, is not valid
// UTF-8, or holds a control character such as NUL: such input is a bug or
// an attack, and a store must never see it (PostgreSQL refuses NUL with a
// raw error; SQLite keeps it). The error names field and never the input.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return &InputError{Field: field, Reason: "too long"}
	}
	if !utf8.ValidString(s) {
		return &InputError{Field: field, Reason: "not valid UTF-8"}
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return &InputError{Field: field, Reason: "holds a control character"}
		}
	}
	return nil
}

// checkUserID wants a user identifier: 1 to 255 bytes of printable UTF-8.
func checkUserID(userID string) error {
	if userID == "" {
		return &InputError{Field: "user", Reason: "must be 1 to 255 bytes"}
	}
	return checkText("user", userID, maxUserID)
}

// checkID checks an optional identifier of a record: empty, or printable
// UTF-8 of at most maxID bytes. An identifier the Manager never issued
// fails later like any unknown one.
func checkID(field, id string) error {
	return checkText(field, id, maxID)
}

// checkActor wants the admin or system named in an audit event: 1 to 255
// bytes of printable UTF-8.
func checkActor(actor string) error {
	if actor == "" {
		return &InputError{Field: "actor", Reason: "must name who acts"}
	}
	return checkText("actor", actor, maxActor)
}
