// Package smtptest is a real SMTP server running in the test process, for
// tests of code that sends mail through email/smtp, as net/http/httptest is
// for HTTP. It records the
// mails it accepts and can be told to refuse logins and recipients.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// Mail is one mail the server accepted.
type Mail struct {
	// From is the envelope sender.
	From string
	// To holds the envelope recipients.
	To []string
	// Data is the mail as sent, headers and body.
	Data []byte
	// TLS reports whether the transaction ran over TLS.
	TLS bool
	// Authed is the user that logged in, if any.
	Authed string
}

// Server is a real SMTP server in the test process.
type Server struct {
	// Addr is the server's host:port on 127.0.0.1.
	Addr string
	// Port is the server's port.
	Port int
	// RootCAs trusts the server's certificate.
	RootCAs *x509.CertPool

	mu       sync.Mutex
	mails    []Mail
	user     string
	pass     string
	rcptErr  error
	authSeen bool
	mechs    []string
	mech     string
}

// Options says how the server behaves.
type Options struct {
	// TLS offers STARTTLS, or with Implicit, speaks TLS from the first
	// byte.
	TLS bool
	// Implicit speaks TLS from the first byte (SMTPS).
	Implicit bool
	// InsecureAuth offers AUTH without TLS, as a careless server would.
	InsecureAuth bool
	// User and Pass are the only login the server accepts. With a User,
	// the server refuses mail from a client that did not log in.
	User, Pass string
	// Mechanisms are the AUTH mechanisms the server offers, in its
	// order; nil means PLAIN only. Logins succeed with PLAIN and LOGIN;
	// any other mechanism is recorded (see Mechanism) and refused.
	Mechanisms []string
	// RcptErr, if set, is the server's answer to every RCPT TO, such as
	// a *smtp.SMTPError of github.com/emersion/go-smtp.
	RcptErr error
}

// New starts an SMTP server on 127.0.0.1 with a certificate made for the
// test. It stops when the test ends.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	s, stop, err := Start(o)
	require.NoError(t, err)
	t.Cleanup(stop)
	return s
}

// Start starts an SMTP server on 127.0.0.1 with a certificate made for it;
// stop stops it. Examples use it, where there is no testing.TB.
func Start(o Options) (s *Server, stop func(), err error) {
	cert, pool, err := selfSigned()
	if err != nil {
		return nil, nil, err
	}
	s = &Server{RootCAs: pool, user: o.User, pass: o.Pass, rcptErr: o.RcptErr, mechs: o.Mechanisms}
	if s.mechs == nil {
		s.mechs = []string{sasl.Plain}
	}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = o.InsecureAuth
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	if o.TLS {
		srv.TLSConfig = tlsCfg
	}
	if o.Implicit {
		l = tls.NewListener(l, tlsCfg)
	}
	s.Addr = l.Addr().String()
	s.Port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	return s, func() { _ = srv.Close() }, nil
}

// Mails returns the mails accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// AuthSeen reports whether a client started to log in.
func (s *Server) AuthSeen() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authSeen
}

type session struct {
	srv  *Server
	conn *gosmtp.Conn
	cur  Mail
	user string
}

// Mechanism returns the AUTH mechanism the last client chose; empty if
// none logged in.
func (s *Server) Mechanism() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mech
}

func (ss *session) AuthMechanisms() []string { return ss.srv.mechs }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	ss.srv.mu.Lock()
	ss.srv.authSeen = true
	ss.srv.mech = mech
	ss.srv.mu.Unlock()
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return ss.login(user, pass) }), nil
	case sasl.Login:
		return &loginServer{login: ss.login}, nil
	}
	return nil, &gosmtp.SMTPError{Code: 504, EnhancedCode: gosmtp.EnhancedCode{5, 5, 4}, Message: "mechanism not implemented by the test server"}
}

// login checks a user name and password.
func (ss *session) login(user, pass string) error {
	if user != ss.srv.user || pass != ss.srv.pass {
		return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "bad credentials for " + user + ":" + pass}
	}
	ss.user = user
	return nil
}

// loginServer is the server side of the LOGIN mechanism: it asks for the
// user name, then the password.
type loginServer struct {
	login func(user, pass string) error
	user  string
	step  int
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	l.step++
	switch l.step {
	case 1:
		if response != nil { // an initial response is the user name
			l.user, l.step = string(response), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	}
	return nil, true, l.login(l.user, string(response))
}

func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.srv.user != "" && ss.user == "" {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.cur = Mail{From: from, TLS: isTLS, Authed: ss.user}
	return nil
}

func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if ss.srv.rcptErr != nil {
		return ss.srv.rcptErr
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Data = b
	ss.srv.mu.Lock()
	ss.srv.mails = append(ss.srv.mails, ss.cur)
	ss.srv.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.cur = Mail{} }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "twostep test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// Silent accepts connections on 127.0.0.1 and never says a word, so
// clients time out. It returns the port.
func Silent(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}
