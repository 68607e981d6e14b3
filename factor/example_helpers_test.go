package factor_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
)

// A handler answers any error of the Manager with one call: the status, a
// Retry-After header for locks and send limits, and the person's text.
func ExampleReplyFor() {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/login/code", nil)
	r.Header.Set("Accept-Language", "nl-NL,nl;q=0.9")
	err := fmt.Errorf("login: %w", &factor.LockedError{RetryAfter: 14 * time.Minute})

	reply := factor.ReplyFor(err, r.Header.Get("Accept-Language"))
	if s := reply.RetryAfterHeader(); s != "" {
		w.Header().Set("Retry-After", s)
	}
	http.Error(w, reply.Message, reply.Status)

	fmt.Println(w.Code, w.Header().Get("Retry-After"))
	fmt.Print(w.Body.String())
	fmt.Println(factor.ReplyFor(factor.ErrInvalidCode, "en").Status, factor.ReplyFor(factor.ErrInvalidCode, "en").Message)
	// Output:
	// 429 840
	// Te veel onjuiste pogingen. Probeer het over 14 minuten opnieuw.
	// 422 The code is incorrect or has expired. Please try again.
}

// Server keys come from one environment variable (or the file its _FILE
// twin names): one "id:base64" line per key, the current key first.
func ExampleLoadKeys() {
	os.Setenv("EXAMPLE_TWOSTEP_KEYS", "2027-05:bmV3IGtleSBvZiAzMiBieXRlcyBvciBtb3JlLCByYW5kb20=\n"+
		"2026-11:b2xkIGtleSBvZiAzMiBieXRlcyBvciBtb3JlLCByYW5kb20=")
	defer os.Unsetenv("EXAMPLE_TWOSTEP_KEYS")

	keys, err := factor.LoadKeys("EXAMPLE_TWOSTEP_KEYS") // or EXAMPLE_TWOSTEP_KEYS_FILE=/run/secrets/twostep-keys
	if err != nil {
		panic(err)
	}
	m, err := factor.NewManager(factor.Config{Store: memstore.New(), Keys: keys})
	fmt.Println(keys[0].ID, keys[1].ID, m != nil, err)

	_, err = factor.ParseKeys([]byte("2027-05:c2hvcnQ="))
	fmt.Println(err)
	// Output:
	// 2027-05 2026-11 true <nil>
	// factor: invalid config: Keys (entry 1): secret must be at least 32 bytes
}

// A host adds German to the texts people see: a pack with every key of the
// English one, which a translator starts from.
func ExampleNewTexts() {
	de := factor.BuiltinTexts("en")
	de.Language = "de"
	de.Texts["invalid-code"] = "Der Code ist falsch oder abgelaufen. Bitte versuchen Sie es erneut."
	de.Texts["locked"] = "Zu viele falsche Versuche. Bitte versuchen Sie es in {wait} erneut."
	de.Texts["wait-minutes"] = "{n} Minuten"
	// … and every other key.
	texts, err := factor.NewTexts(de)
	if err != nil {
		panic(err)
	}
	fmt.Println(texts.UserMessage(factor.ErrInvalidCode, "de-CH,de;q=0.9"))
	fmt.Println(texts.ReplyFor(&factor.LockedError{RetryAfter: 15 * time.Minute}, "de").Message)
	fmt.Println(texts.UserMessage(factor.ErrInvalidCode, "nl"))

	delete(de.Texts, "resend")
	_, err = factor.NewTexts(de)
	fmt.Println(err)
	// Output:
	// Der Code ist falsch oder abgelaufen. Bitte versuchen Sie es erneut.
	// Zu viele falsche Versuche. Bitte versuchen Sie es in 15 Minuten erneut.
	// De code is onjuist of verlopen. Probeer het opnieuw.
	// factor: invalid config: Texts[0]: de: no text for key "resend"
}
