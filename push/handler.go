package push

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/twostep/twostep/factor"
)

// maxBody bounds a request from the app; real ones are under 5 KB.
const maxBody = 16 << 10

// ServeHTTP serves the app's requests, POST {URL}/register, {URL}/poll and
// {URL}/answer, as PROTOCOL.md describes. Mount it at Config.URL's path,
// with a trailing slash, such as mux.Handle("/twostep/push/", f).
func (f *Factor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, reply{Error: "method"})
		return
	}
	m, err := f.manager()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, reply{Error: "server"})
		return
	}
	ctx, now := r.Context(), f.now()
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	var out any
	op := trimPath(r.URL.Path)
	switch op {
	case "register":
		var req registerRequest
		if err = decode(dec, &req, &req.V); err == nil {
			if err = f.register(ctx, m, &req, now); err == nil {
				out = reply{Result: "registered"}
			}
		}
	case "poll":
		var req pollRequest
		if err = decode(dec, &req, &req.V); err == nil {
			out, err = f.poll(ctx, m, &req, now)
		}
	case "answer":
		var req answerRequest
		if err = decode(dec, &req, &req.V); err == nil {
			out, err = f.answer(ctx, m, &req, now)
		}
	default:
		writeJSON(w, http.StatusNotFound, reply{Error: "not_found"})
		return
	}
	status, rep := classify(err)
	lvl := slog.LevelInfo
	if status >= 500 {
		lvl = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("op", op), slog.Int("status", status)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	m.Extension().Logger().LogAttrs(ctx, lvl, "twostep: push request", attrs...)
	if err != nil {
		writeJSON(w, status, rep)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// decode reads one JSON object and checks its protocol version.
func decode(dec *json.Decoder, v any, version *int) error {
	if err := dec.Decode(v); err != nil {
		return errField("body")
	}
	if *version != Version {
		return errField("v")
	}
	return nil
}

// classify maps an error to the reply the app gets. Refusals are all
// alike, so that the app learns nothing about users, enrollments or
// requests it may not see.
func classify(err error) (int, reply) {
	var fe errField
	switch {
	case err == nil:
		return http.StatusOK, reply{}
	case errors.As(err, &fe), errors.Is(err, factor.ErrMalformed):
		return http.StatusBadRequest, reply{Error: "malformed"}
	case errors.Is(err, errRefused), errors.Is(err, factor.ErrInvalidCode), errors.Is(err, factor.ErrLocked), errors.Is(err, factor.ErrNotFound):
		return http.StatusForbidden, reply{Error: "refused"}
	case errors.Is(err, factor.ErrRateLimited):
		return http.StatusTooManyRequests, reply{Error: "rate_limited"}
	}
	return http.StatusInternalServerError, reply{Error: "server"}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
