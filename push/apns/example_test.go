package apns_test

import (
	"errors"
	"fmt"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/apns"
)

// A Sender is built from the team's APNs signing key and given to
// push.Config.Notifier, for iOS in a push.Platforms. A key that is not an
// APNs key is refused before anything is sent.
func Example() {
	key := []byte("-----BEGIN PRIVATE KEY-----\n…") // os.ReadFile("AuthKey_ABC123DEFG.p8")
	s, err := apns.New(apns.Config{Key: key, KeyID: "ABC123DEFG", TeamID: "DEF123GHIJ", Topic: "com.example.twostep"})
	var ce *factor.ConfigError
	if errors.As(err, &ce) {
		fmt.Println("refused:", ce.Field)
		return
	}
	_, _ = push.New(push.Config{URL: "https://example.com/twostep/push", Notifier: push.Platforms{push.PlatformIOS: s}})
	// Output: refused: apns.Config.Key
}
