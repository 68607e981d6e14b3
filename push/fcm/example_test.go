package fcm_test

import (
	"errors"
	"fmt"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/push"
	"github.com/twostep/twostep/push/fcm"
)

// A Sender is built from the service account's key file and given to
// push.Config.Notifier, alone or for Android in a push.Platforms. A key
// file of another kind is refused before anything is sent.
func Example() {
	keyFile := []byte(`{"type": "authorized_user", "client_id": "…"}`) // os.ReadFile("service-account.json")
	s, err := fcm.New(fcm.Config{ServiceAccountJSON: keyFile})
	var ce *factor.ConfigError
	if errors.As(err, &ce) {
		fmt.Println("refused:", ce.Field)
		return
	}
	_, _ = push.New(push.Config{URL: "https://example.com/twostep/push", Notifier: push.Platforms{push.PlatformAndroid: s}})
	// Output: refused: fcm.Config.ServiceAccountJSON
}
