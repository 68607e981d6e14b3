package twilioapi

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/twostep/twostep/factor"
)

// The query parameters of a status callback URL that name the code a
// receipt is for: the challenge and the number of its send.
const (
	ChallengeParam = "challenge"
	SendParam      = "send"
)

// maxFormBytes bounds the body of a request from Twilio; it posts a few
// hundred bytes.
const maxFormBytes = 64 << 10

// StatusCallback returns base with the challenge and send of m added to its
// query: the StatusCallback of m's message or call. It is empty when base
// is nil or m names no challenge, whose receipts nothing could record.
func StatusCallback(base *url.URL, m factor.Message) string {
	if base == nil || m.ChallengeID == "" || m.Send < 1 {
		return ""
	}
	u := *base
	q := u.Query()
	q.Set(ChallengeParam, m.ChallengeID)
	q.Set(SendParam, strconv.Itoa(m.Send))
	u.RawQuery = q.Encode()
	return u.String()
}

// Receipts serves Twilio's status callbacks for one kind of resource
// (messages or calls): it checks the signature like Authenticate, reads
// the challenge and send from the URL StatusCallback made, the status
// from the form with Read, and records it with
// factor.Extension.RecordDelivery.
//
// Replies: 405 for another method than POST; 403 for a bad signature,
// which changes nothing; 400 for a signed URL without a challenge and
// send; 500 when the store fails, so that Twilio may try again; 204
// otherwise, also for an unknown or closed challenge and for a status
// that reports nothing, so that Twilio stops trying.
type Receipts struct {
	// Manager records the receipts.
	Manager *factor.Manager
	// Config names the handler in configuration errors.
	Config string
	// AuthToken and PublicURL check the signature (see Authenticate).
	AuthToken, PublicURL string
	// Read returns Twilio's status from form and what it reports;
	// factor.DeliveryUnknown for a status that reports nothing.
	Read func(form url.Values) (status string, d factor.Delivery)
	// Clock returns the current time. Nil means time.Now.
	Clock func() time.Time
}

// ServeHTTP handles one status callback.
func (h *Receipts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.Manager == nil || h.Read == nil {
		http.Error(w, "status callback handler has no Manager", http.StatusInternalServerError)
		return
	}
	log := h.Manager.Extension().Logger()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := Authenticate(h.Config, h.AuthToken, h.PublicURL, r); err != nil {
		log.LogAttrs(r.Context(), slog.LevelWarn, "twostep: twilio status callback refused", slog.String("error", err.Error()))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	rc, err := receiptOf(r.URL.Query())
	if err != nil {
		log.LogAttrs(r.Context(), slog.LevelWarn, "twostep: twilio status callback refused", slog.String("error", err.Error()))
		http.Error(w, "malformed status callback", http.StatusBadRequest)
		return
	}
	status, d := h.Read(r.PostForm)
	rc.Delivery = d
	attrs := []slog.Attr{slog.String("challenge", rc.ChallengeID), slog.Int("send", rc.Send), slog.String("status", word(status))}
	if code := r.PostForm.Get("ErrorCode"); code != "" {
		attrs = append(attrs, slog.String("error_code", word(code)))
	}
	level, outcome, reply := slog.LevelInfo, "ignored", http.StatusNoContent
	changed := false
	if d != factor.DeliveryUnknown {
		changed, err = h.Manager.Extension().RecordDelivery(r.Context(), rc, h.now())
	}
	switch {
	case changed:
		outcome = "recorded"
	case errors.Is(err, factor.ErrNotFound):
		outcome = "unknown challenge"
	case err != nil:
		level, outcome, reply = slog.LevelError, "failed", http.StatusInternalServerError
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	log.LogAttrs(r.Context(), level, "twostep: twilio status callback", append(attrs, slog.String("outcome", outcome))...)
	w.WriteHeader(reply)
}

// receiptOf reads the challenge and the send from a status callback URL's
// query. Its errors never quote the input.
func receiptOf(q url.Values) (factor.Receipt, error) {
	ids, sends := q[ChallengeParam], q[SendParam]
	if len(ids) != 1 || len(sends) != 1 || !isID(ids[0]) {
		return factor.Receipt{}, errors.New("twilio: status callback URL without one challenge and send")
	}
	n, err := strconv.Atoi(sends[0])
	if err != nil || n < 1 || len(sends[0]) > 6 {
		return factor.Receipt{}, errors.New("twilio: status callback URL with a malformed send")
	}
	return factor.Receipt{ChallengeID: ids[0], Send: n}, nil
}

// isID reports whether s looks like a challenge ID: 1 to 64 letters,
// digits, '-' and '_'.
func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// word returns s for a log when it is a short word of Twilio's, such as a
// status or an error code, and "other" for anything else.
func word(s string) string {
	if len(s) > 32 {
		return "other"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "other"
		}
	}
	return s
}

func (h *Receipts) now() time.Time {
	if h.Clock != nil {
		return h.Clock()
	}
	return time.Now()
}
