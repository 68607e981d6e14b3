package bird_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/sms/bird"
)

func Example() {
	// A stand-in for api.bird.com; leave BaseURL empty in production.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println(string(body))
		if r.Header.Get("Authorization") != "AccessKey your-access-key" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer api.Close()

	sender, err := bird.New(bird.Config{
		AccessKey:   "your-access-key",
		WorkspaceID: "a1405560-c8d3-4b1a-877d-3f449ad95352",
		ChannelID:   "8e0c2a2c-2d2f-4d65-a9a0-0c3f5e1d9b11",
		BaseURL:     api.URL,
	})
	if err != nil {
		panic(err)
	}
	err = sender.Send(context.Background(), factor.Message{Kind: factor.KindSMS, To: "+31612345678", Text: "Your code is 123456."})
	fmt.Println(err)
	// Output:
	// POST /workspaces/a1405560-c8d3-4b1a-877d-3f449ad95352/channels/8e0c2a2c-2d2f-4d65-a9a0-0c3f5e1d9b11/messages
	// {"receiver":{"contacts":[{"identifierKey":"phonenumber","identifierValue":"+31612345678"}]},"body":{"type":"text","text":{"text":"Your code is 123456."}}}
	// <nil>
}
