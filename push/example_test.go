package push_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/pushclient"
)

// A phone enrols, and a login is approved on it.
func Example() {
	ctx, now := context.Background(), time.Now()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()

	p, err := push.New(push.Config{URL: srv.URL + "/twostep/push", Issuer: "Example"})
	if err != nil {
		panic(err)
	}
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Factors: []factor.Factor{p}, Sender: factor.Router{push.Kind: p}})
	if err != nil {
		panic(err)
	}
	if err := p.Bind(m); err != nil {
		panic(err)
	}
	mux.Handle("/twostep/push/", p)

	// The settings page shows setup.URI as a QR code; the phone scans it.
	setup, err := p.Enroll(ctx, push.SetupRequest{UserID: "alice", Account: "alice@example.com"}, now)
	if err != nil {
		panic(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	phone := &pushclient.Client{Key: key}
	inv, _ := pushclient.ParseURI(setup.URI)
	dev, err := phone.Register(ctx, inv, pushclient.AppInfo{Platform: "other", DeviceName: "Test phone"}, now)
	if err != nil {
		panic(err)
	}

	// The login page shows sent.ScreenDigits; the user picks it on the phone.
	sent, err := p.Challenge(ctx, push.LoginRequest{UserID: "alice", EnrollmentID: inv.Enrollment, Context: push.Context{Browser: "Firefox"}}, now)
	if err != nil {
		panic(err)
	}
	reqs, _ := phone.Poll(ctx, dev, now)
	res, err := phone.Approve(ctx, dev, reqs[0], sent.ScreenDigits, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Result)

	// The page polls, then completes the second step.
	st, _ := p.Status(ctx, "alice", sent.ChallengeID, now)
	fmt.Println(st.State)
	r, err := m.Verify(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID}, now)
	fmt.Println(r.Kind, err)
	// Output:
	// approved
	// approved
	// push <nil>
}
