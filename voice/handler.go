package voice

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/twostep/twostep/factor"
)

// maxFormBytes bounds the body of a keypad callback; providers post a few
// hundred bytes.
const maxFormBytes = 64 << 10

// Authenticator checks that a request really comes from the voice
// provider, typically by its signature. Provider packages implement it
// (voice/twilio's Validator does); a Handler never acts on a request it
// refuses.
type Authenticator interface {
	// Authenticate returns nil for a genuine request and an error for any
	// other. The Handler logs the error, so it must not quote the request's
	// parameters (they hold the caller's number). Authenticate may read the
	// form with r.ParseForm: the Handler has already limited the body's
	// size, and the parsed form stays available.
	Authenticate(r *http.Request) error
}

// AuthenticatorFunc adapts a function to the Authenticator interface.
type AuthenticatorFunc func(r *http.Request) error

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) error { return f(r) }

// Outcome is what became of an authenticated keypad callback.
type Outcome int

// The outcomes of a keypad callback.
const (
	// Approved means the typed digits were right: the challenge is
	// approved and the login page can complete it.
	Approved Outcome = iota + 1
	// Rejected means the digits were wrong, or the challenge is unknown,
	// out of tries, or its user locked out. Wrong digits count as a failed
	// attempt.
	Rejected
	// Malformed means the callback lacked the challenge or digits, or the
	// digits were not digits or not as many as asked for. Nothing changed.
	Malformed
	// Failed means an operational error, such as an unreachable store.
	Failed
	// Expired means the digits came too late: the challenge had expired
	// or was already used. The Manager refused them as it refuses wrong
	// digits.
	Expired
)

// String returns the outcome's name, such as "approved".
func (o Outcome) String() string {
	switch o {
	case Approved:
		return "approved"
	case Rejected:
		return "rejected"
	case Malformed:
		return "malformed"
	case Failed:
		return "failed"
	case Expired:
		return "expired"
	}
	return "unknown"
}

// Responder writes the reply to an authenticated keypad callback, such as
// TwiML that thanks the caller or says the digits were wrong. Provider
// packages may implement it. It is not called for requests that fail
// authentication or use the wrong method.
type Responder interface {
	// Respond writes the whole reply, status code included, to r, an
	// authenticated keypad callback whose digits came to outcome o. It is
	// called once per such request, after the Manager has answered or the
	// form was found malformed.
	Respond(w http.ResponseWriter, r *http.Request, o Outcome)
}

// Handler receives the digits a user typed during a keypad call. The
// provider posts them (POST, form-encoded) to a URL that names the
// challenge in the query or form parameter "challenge", with the digits in
// the form field "Digits", as Twilio's <Gather> does. The Handler checks
// the request with Auth, then calls factor.Manager.ApproveKeypad.
//
// Replies: 405 for another method than POST; 403 for a request Auth
// refuses (or when Auth is nil), which changes nothing. Otherwise Responder
// writes the reply, or by default: 204 No Content when approved, rejected
// or expired, 400 when malformed, 500 on an operational error.
type Handler struct {
	// Manager approves challenges. Required.
	Manager *factor.Manager
	// Auth checks that requests come from the provider. Required: a
	// Handler without one refuses every request.
	Auth Authenticator
	// Responder writes replies. Nil means plain status codes.
	Responder Responder
	// Clock returns the current time. Nil means time.Now.
	Clock func() time.Time
}

// NewHandler returns a Handler for m that accepts requests auth approves.
func NewHandler(m *factor.Manager, auth Authenticator) (*Handler, error) {
	if m == nil {
		return nil, &factor.ConfigError{Field: "Manager", Reason: "required"}
	}
	if auth == nil {
		return nil, &factor.ConfigError{Field: "Auth", Reason: "required"}
	}
	return &Handler{Manager: m, Auth: auth}, nil
}

// ServeHTTP handles one keypad callback.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.Manager == nil {
		http.Error(w, "voice handler has no Manager", http.StatusInternalServerError)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := h.authenticate(r); err != nil {
		h.Manager.Extension().Logger().LogAttrs(r.Context(), slog.LevelWarn, "twostep: voice callback refused", slog.String("error", err.Error()))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	h.respond(w, r, h.approve(r))
}

// authenticate runs Auth, refusing everything without one.
func (h *Handler) authenticate(r *http.Request) error {
	if h.Auth == nil {
		return errors.New("voice: Handler has no Authenticator")
	}
	return h.Auth.Authenticate(r)
}

// approve hands the typed digits to the Manager.
func (h *Handler) approve(r *http.Request) Outcome {
	f, err := parseKeypadForm(r)
	if err != nil {
		h.log(r, Malformed, "", err)
		return Malformed
	}
	now := h.now()
	err = h.Manager.ApproveKeypad(r.Context(), f.challenge, f.digits, now)
	o := outcome(err)
	if o == Rejected && h.late(r, f.challenge, now) {
		o = Expired
	}
	h.log(r, o, f.challenge, err)
	return o
}

// late reports whether a refused challenge had expired or was used when
// its digits came, so that the caller can be told it was too late rather
// than wrong. It only reads the challenge.
func (h *Handler) late(r *http.Request, id string, now time.Time) bool {
	c, err := h.Manager.Extension().Store().GetChallenge(r.Context(), id)
	return err == nil && c.Keypad && (!now.Before(c.ExpiresAt) || !c.UsedAt.IsZero())
}

// outcome classifies ApproveKeypad's answer.
func outcome(err error) Outcome {
	switch {
	case err == nil:
		return Approved
	case errors.Is(err, factor.ErrInvalidCode), errors.Is(err, factor.ErrLocked), errors.Is(err, factor.ErrNotFound):
		return Rejected
	case errors.Is(err, factor.ErrMalformed):
		return Malformed
	}
	return Failed
}

func (h *Handler) respond(w http.ResponseWriter, r *http.Request, o Outcome) {
	if h.Responder != nil {
		h.Responder.Respond(w, r, o)
		return
	}
	switch o {
	case Approved, Rejected, Expired:
		w.WriteHeader(http.StatusNoContent)
	case Malformed:
		http.Error(w, "malformed keypad callback", http.StatusBadRequest)
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (h *Handler) log(r *http.Request, o Outcome, challenge string, err error) {
	level, attrs := slog.LevelInfo, []slog.Attr{slog.String("outcome", o.String()), slog.String("challenge", challenge)}
	if o == Failed {
		level = slog.LevelError
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.Manager.Extension().Logger().LogAttrs(r.Context(), level, "twostep: voice keypad callback", attrs...)
}

func (h *Handler) now() time.Time {
	if h.Clock != nil {
		return h.Clock()
	}
	return time.Now()
}
