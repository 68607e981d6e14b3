package twilio

import (
	"encoding/xml"
	"fmt"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
)

// MaxTwiML is the longest TwiML Twilio accepts inline, in characters.
const MaxTwiML = 4000

// ChallengeParam is the query parameter of the keypad callback URL that
// carries the challenge ID.
const ChallengeParam = "challenge"

// LanguageParam is the query parameter of the keypad callback URL that
// carries the call's language, so that KeypadResponder answers in it.
const LanguageParam = "lang"

// maxFormBytes bounds the body of a request from Twilio; it posts a few
// hundred bytes.
const maxFormBytes = 64 << 10

// gatherTimeout is how many seconds the call waits for the first digit.
const gatherTimeout = 10

type say struct {
	XMLName  xml.Name `xml:"Say"`
	Language string   `xml:"language,attr,omitempty"`
	Voice    string   `xml:"voice,attr,omitempty"`
	Text     string   `xml:",chardata"`
}

type pause struct {
	XMLName xml.Name `xml:"Pause"`
	Length  int      `xml:"length,attr"`
}

type gather struct {
	XMLName   xml.Name `xml:"Gather"`
	Input     string   `xml:"input,attr"`
	NumDigits int      `xml:"numDigits,attr"`
	Action    string   `xml:"action,attr"`
	Method    string   `xml:"method,attr"`
	Timeout   int      `xml:"timeout,attr"`
	Say       say
}

type response struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []any
}

// twiml builds the call script for m, which has been checked.
func (s *Sender) twiml(m factor.Message) (string, error) {
	v := s.voices.lookup(m.Language)
	var r response
	if m.Keypad {
		action, err := s.callback(m.ChallengeID, m.Language)
		if err != nil {
			return "", err
		}
		r = keypad(v, m.Text, len(m.Code), action)
	} else {
		r = spoken(v, m.Text)
	}
	b, err := xml.Marshal(r)
	if err != nil {
		return "", &delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: TwiML: %w", delivery.ErrUnsupported, err)}
	}
	if len(b) > MaxTwiML {
		return "", &delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: TwiML longer than %d characters", delivery.ErrUnsupported, MaxTwiML)}
	}
	return string(b), nil
}

// spoken says text, the composed script that reads the code, after a
// pause for the phone to reach the ear.
func spoken(v Voice, text string) response {
	return response{Verbs: []any{pause{Length: 1}, v.say(text)}}
}

// keypad says text while gathering n digits, which Twilio posts to action.
func keypad(v Voice, text string, n int, action string) response {
	g := gather{Input: "dtmf", NumDigits: n, Action: action, Method: "POST", Timeout: gatherTimeout, Say: v.say(text)}
	return response{Verbs: []any{g, v.say(v.Goodbye)}}
}

func (v Voice) say(text string) say {
	return say{Language: v.Language, Voice: v.Name, Text: text}
}

// callback is Config.CallbackURL with challenge=id and lang=lang added to
// its query.
func (s *Sender) callback(id, lang string) (string, error) {
	if s.callbackURL == nil {
		return "", &delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: keypad mode needs Config.CallbackURL", delivery.ErrUnsupported)}
	}
	if id == "" {
		return "", &delivery.Error{Provider: "twilio", Err: fmt.Errorf("%w: keypad mode needs a ChallengeID", delivery.ErrUnsupported)}
	}
	u := *s.callbackURL
	q := u.Query()
	q.Set(ChallengeParam, id)
	if lang != "" {
		q.Set(LanguageParam, lang)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
