package twilio

import (
	"strings"

	"github.com/twostep/twostep/internal/provider"
)

// Voice is how calls in one language sound.
type Voice struct {
	// Language is the <Say> language, such as "nl-NL".
	Language string
	// Name is the <Say> voice, such as "Polly.Lotte"; empty means
	// Twilio's default voice for Language.
	Name string
	// Goodbye is said in keypad mode when no digits were typed.
	Goodbye string
	// Machine is said instead of the script of a spoken call that an
	// answering machine or voicemail picked up (see Config.ScriptURL). It
	// must not contain the code.
	Machine string
	// Thanks is said when the digits typed in keypad mode were right (see
	// KeypadResponder).
	Thanks string
	// Wrong is said when the digits typed in keypad mode were wrong, or
	// not as many as asked for.
	Wrong string
	// Late is said when the digits came after the code had expired or
	// was used.
	Late string
	// Trouble is said when the digits could not be checked, such as when
	// the store is unreachable.
	Trouble string
}

// builtinVoice returns the voice twostep knows for a lower-case BCP 47
// tag: Dutch, English (American) and British English.
func builtinVoice(tag string) (Voice, bool) {
	switch tag {
	case "nl":
		return Voice{Language: "nl-NL", Name: "Polly.Lotte",
			Goodbye: "We hebben geen toetsen ontvangen. Tot ziens.",
			Machine: "U bent gebeld om een inlogcode voor te lezen. Die lezen we alleen voor aan een persoon. Vraag zo nodig een nieuwe code aan. Tot ziens.",
			Thanks:  "Dank u wel. U kunt verder op uw scherm. Tot ziens.",
			Wrong:   "Die cijfers kloppen niet. Kijk op uw scherm en probeer het opnieuw. Tot ziens.",
			Late:    "Deze code is niet meer geldig. Vraag op uw scherm een nieuwe aan. Tot ziens.",
			Trouble: "Er ging iets mis bij het controleren. Probeer het later opnieuw. Tot ziens."}, true
	case "en", "en-gb":
		v := Voice{Language: "en-US", Name: "Polly.Joanna",
			Goodbye: "We did not receive any input. Goodbye.",
			Machine: "This call was to read out a login code, which we only read to a person. Please request a new code if you need one. Goodbye.",
			Thanks:  "Thank you. You can continue on your screen. Goodbye.",
			Wrong:   "Those digits are not right. Please check your screen and try again. Goodbye.",
			Late:    "This code is no longer valid. Please request a new one on your screen. Goodbye.",
			Trouble: "Something went wrong while checking the digits. Please try again later. Goodbye."}
		if tag == "en-gb" {
			v.Language, v.Name = "en-GB", "Polly.Amy"
		}
		return v, true
	}
	return Voice{}, false
}

// voices holds the configured voices by lower-case tag.
type voices map[string]Voice

// newVoices checks and copies the configured voices. A voice without
// phrases borrows them from the built-in voice of its language; a voice of
// a language twostep does not know must have them all.
func newVoices(cfg map[string]Voice) (voices, error) {
	vs := make(voices, len(cfg))
	for tag, v := range cfg {
		field := "twilio.Config.Voices[" + tag + "]"
		tag = strings.ToLower(tag)
		if v.Language == "" {
			return nil, provider.ConfigError(field, "Language is required")
		}
		if b, ok := builtinVoice(primary(tag)); ok {
			v.Goodbye, v.Machine = or(v.Goodbye, b.Goodbye), or(v.Machine, b.Machine)
			v.Thanks, v.Wrong = or(v.Thanks, b.Thanks), or(v.Wrong, b.Wrong)
			v.Late, v.Trouble = or(v.Late, b.Late), or(v.Trouble, b.Trouble)
		}
		if v.Goodbye == "" || v.Machine == "" || v.Thanks == "" || v.Wrong == "" || v.Late == "" || v.Trouble == "" {
			return nil, provider.ConfigError(field, "every phrase (Goodbye, Machine, Thanks, Wrong, Late, Trouble) is required for a language twostep does not know")
		}
		vs[tag] = v
	}
	return vs, nil
}

// lookup picks the voice for a BCP 47 tag: the configured or built-in
// voice of the tag, then of its primary language, then English.
func (vs voices) lookup(lang string) Voice {
	tag := strings.ToLower(lang)
	for _, t := range []string{tag, primary(tag), "en"} {
		if v, ok := vs[t]; ok {
			return v
		}
		if v, ok := builtinVoice(t); ok {
			return v
		}
	}
	return Voice{} // unreachable: "en" is built in
}

func primary(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	return p
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
