// Package voice delivers one-time codes by phone call, to mobile numbers
// and landlines alike.
//
// A call works in one of two modes, chosen per challenge with
// factor.ChallengeRequest.Keypad:
//
//   - Spoken: the call reads the code out digit by digit, twice, and the
//     user types it on the login page, as with SMS.
//   - Keypad: the login page shows a few digits (factor.Sent.ScreenDigits)
//     and the call asks the user to type them on the phone. The provider
//     posts the typed digits to Handler, which approves the challenge;
//     the page polls factor.Manager.ChallengeStatus and, once approved,
//     completes the login with factor.Manager.Verify and an empty code.
//     Typing the screen digits on the page proves nothing and fails.
//
// A Factor prepares numbers (E.164, voice-capable lines only) and writes
// the call's script in Dutch or English; a provider package such as
// voice/twilio places the call and renders the script (as TwiML, for
// example), and implements Authenticator so that Handler accepts only
// genuine callbacks.
package voice

import (
	"fmt"
	"io/fs"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/phone"
	"github.com/twostep/twostep/internal/message"
)

// The names of the script templates. Hosts override them with files
// "<language>/voice.txt" and "<language>/voice-keypad.txt" in
// Config.Templates.
const (
	spokenTemplate = "voice.txt"
	keypadTemplate = "voice-keypad.txt"
)

// Config configures a Factor. The zero Config calls Dutch numbers, mobile
// or fixed, and speaks Dutch to users who prefer Dutch, English to everyone
// else.
type Config struct {
	// Phones parses numbers and decides which may be called. The zero
	// Parser accepts Dutch numbers only.
	Phones phone.Parser
	// AppName is the application's name as users know it, such as "Acme".
	// The call starts with it. At most 64 bytes, no control characters.
	AppName string
	// DefaultLanguage is the language of calls to users whose preference
	// is empty or matches no supported language. Empty means English
	// ("en"), as factor.UserMessage.
	DefaultLanguage string
	// Languages adds languages beyond Dutch and English, as BCP 47 tags;
	// Templates must then hold both scripts for each.
	Languages []string
	// Templates overrides the built-in scripts with text/template files
	// named "<language>/voice.txt" (spoken; .AppName, .Code, .Minutes and
	// the function spell, which separates digits with commas) and
	// "<language>/voice-keypad.txt" (keypad; .AppName and .Length, never
	// the digits). Nil uses the built-in scripts.
	Templates fs.FS
}

// Factor is the voice-call factor. It implements factor.Challenger and
// factor.Preparer. It is immutable and safe for concurrent use.
type Factor struct {
	phones phone.Parser
	msgs   *message.Catalog
}

var (
	_ factor.Challenger = (*Factor)(nil)
	_ factor.Preparer   = (*Factor)(nil)
)

// New checks cfg and returns a Factor. A bad Config is an error wrapping
// factor.ErrInvalidConfig.
func New(cfg Config) (*Factor, error) {
	if err := cfg.Phones.Validate(); err != nil {
		return nil, &factor.ConfigError{Field: "Phones", Reason: err.Error()}
	}
	msgs, err := message.New(message.Config{
		AppName:         cfg.AppName,
		DefaultLanguage: cfg.DefaultLanguage,
		Languages:       cfg.Languages,
		Templates:       cfg.Templates,
	}, spokenTemplate, keypadTemplate)
	if err != nil {
		return nil, err
	}
	return &Factor{phones: cfg.Phones, msgs: msgs}, nil
}

// Kind returns factor.KindVoice.
func (f *Factor) Kind() factor.Kind { return factor.KindVoice }

// Prepare parses e.Address as a phone number that may be called (mobile,
// fixed line or VoIP) and replaces it with its E.164 form. An empty Label
// becomes the masked number, such as "+31 20 ••• 4567". A refused number
// is an error wrapping both factor.ErrMalformed and the phone package's
// sentinel, and never contains the full number.
func (f *Factor) Prepare(e *factor.Enrollment) error {
	n, err := f.phones.ForVoice(e.Address)
	if err != nil {
		return fmt.Errorf("voice: %w: %w", factor.ErrMalformed, err)
	}
	e.Address = n.E164
	if e.Label == "" {
		e.Label = n.Masked()
	}
	return nil
}

// Compose writes the script of the call that delivers code for challenge
// c to e, in the supported language that best matches lang. A spoken
// script reads code digit by digit, twice. A keypad script (c.Keypad) asks
// the user to type the digits the screen shows and never contains them;
// the message's Code still holds them, for the provider to know how many
// digits to gather.
func (f *Factor) Compose(e *factor.Enrollment, c *factor.Challenge, code, lang string) (factor.Message, error) {
	l := f.msgs.Negotiate(lang)
	name, data := spokenTemplate, message.Data{Code: code, Length: len(code), Minutes: message.Minutes(c.ExpiresAt.Sub(c.SentAt))}
	if c.Keypad {
		name, data.Code = keypadTemplate, ""
	}
	text, err := f.msgs.Render(name, l, data)
	if err != nil {
		return factor.Message{}, fmt.Errorf("voice: %w", err)
	}
	return factor.Message{
		Kind:        factor.KindVoice,
		To:          e.Address,
		Code:        code,
		Keypad:      c.Keypad,
		ChallengeID: c.ID,
		Language:    l,
		Text:        text,
		ExpiresAt:   c.ExpiresAt,
	}, nil
}
