package twilio

import (
	"net/http"

	"github.com/twostep/twostep/voice"
)

// KeypadResponder answers Twilio's keypad callbacks, as voice.Handler's
// Responder, with TwiML the caller hears in the call's language (the
// callback URL's LanguageParam): Voice.Thanks for the right digits,
// Voice.Wrong for wrong or malformed ones, Voice.Late for digits that came
// after the code expired or was used, and Voice.Trouble when they could
// not be checked; then the call ends. Twilio never gets an empty answer
// or an error page, which it would read out as an application error.
//
// The zero KeypadResponder speaks the built-in voices;
// Sender.KeypadResponder returns one with the Sender's configured voices.
type KeypadResponder struct {
	voices voices
}

var _ voice.Responder = (*KeypadResponder)(nil)

// KeypadResponder returns a KeypadResponder that speaks with the voices of s.
func (s *Sender) KeypadResponder() *KeypadResponder { return &KeypadResponder{voices: s.voices} }

// Respond writes the TwiML for outcome o with status 200.
func (rs *KeypadResponder) Respond(w http.ResponseWriter, r *http.Request, o voice.Outcome) {
	v := rs.voices.lookup(r.URL.Query().Get(LanguageParam))
	text := v.Trouble
	switch o {
	case voice.Approved:
		text = v.Thanks
	case voice.Rejected, voice.Malformed:
		text = v.Wrong
	case voice.Expired:
		text = v.Late
	}
	writeTwiML(w, response{Verbs: []any{v.say(text), hangup{}}})
}
