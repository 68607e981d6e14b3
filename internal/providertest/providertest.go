// Package providertest is a recording stand-in for a provider's HTTP API,
// shared by the tests of the sender packages.
package providertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Request is one request the stand-in received.
type Request struct {
	// Method is the HTTP method, such as "POST".
	Method string
	// Path is the URL path, without the query.
	Path string
	// Header is a copy of the request's header.
	Header http.Header
	// Body is the whole request body.
	Body []byte
	// Form is the parsed body of a form-encoded request.
	Form url.Values
	// User and Pass are the Basic auth credentials, if any.
	User, Pass string
	// HasBasic reports whether the request carried Basic auth.
	HasBasic bool
}

// Reply is what the stand-in answers.
type Reply struct {
	// Status is the HTTP status code.
	Status int
	// Body is the response body; the Content-Type is always JSON.
	Body string
	// Header holds extra response headers, such as "Retry-After".
	Header map[string]string
	// Hang makes the stand-in wait until the client gives up.
	Hang bool
}

// Server is a provider stand-in that records every request.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	replies  []Reply
}

// New starts a stand-in that answers every request with reply. It stops
// when the test ends.
func New(t testing.TB, reply Reply) *Server {
	return NewSequence(t, reply)
}

// NewSequence starts a stand-in that answers the first request with the
// first reply, the second with the second, and every later one with the
// last, such as a timeout and then a success. It stops when the test
// ends.
func NewSequence(t testing.TB, replies ...Reply) *Server {
	s := &Server{replies: replies}
	done := make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, done)
	}))
	t.Cleanup(func() { close(done); s.Close() })
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, done chan struct{}) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	req.User, req.Pass, req.HasBasic = r.BasicAuth()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		req.Form, _ = url.ParseQuery(string(body))
	}
	s.mu.Lock()
	reply := s.replies[min(len(s.requests), len(s.replies)-1)]
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	if reply.Hang {
		select {
		case <-r.Context().Done():
		case <-done:
		}
		return
	}
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	_, _ = io.WriteString(w, reply.Body)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// NoSecrets fails the test if err's text contains any of secrets.
func NoSecrets(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains the secret %q", err.Error(), s)
		}
	}
}
