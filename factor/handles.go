package factor

import "context"

// HandleStore is an optional capability of a Store: it finds a user by a
// random handle that a factor gave the user, so that a second step can
// begin without knowing who the user is. Passkeys use it for the user
// handle of discoverable credentials (package passkey, passwordless login);
// a handle is never the host's user ID.
//
// A handle is at most 64 bytes. A user may have several handles; a handle
// names one user.
type HandleStore interface {
	// PutHandle records that handle names the user. Recording the same
	// handle for the same user again is no error; a handle that names
	// another user is ErrConflict.
	PutHandle(ctx context.Context, userID string, handle []byte) error
	// UserByHandle returns the user handle names, or ErrNotFound.
	UserByHandle(ctx context.Context, handle []byte) (string, error)
	// DeleteHandles removes all of the user's handles and returns how
	// many there were.
	DeleteHandles(ctx context.Context, userID string) (int, error)
}
