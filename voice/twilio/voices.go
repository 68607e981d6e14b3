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
}

// builtinVoice returns the voice twostep knows for a lower-case BCP 47
// tag: Dutch, English (American) and British English.
func builtinVoice(tag string) (Voice, bool) {
	switch tag {
	case "nl":
		return Voice{Language: "nl-NL", Name: "Polly.Lotte",
			Goodbye: "We hebben geen toetsen ontvangen. Tot ziens."}, true
	case "en":
		return Voice{Language: "en-US", Name: "Polly.Joanna",
			Goodbye: "We did not receive any input. Goodbye."}, true
	case "en-gb":
		return Voice{Language: "en-GB", Name: "Polly.Amy",
			Goodbye: "We did not receive any input. Goodbye."}, true
	}
	return Voice{}, false
}

// voices holds the configured voices by lower-case tag.
type voices map[string]Voice

// newVoices checks and copies the configured voices. A voice without
// phrases borrows them from the built-in voice of its language.
func newVoices(cfg map[string]Voice) (voices, error) {
	vs := make(voices, len(cfg))
	for tag, v := range cfg {
		field := "twilio.Config.Voices[" + tag + "]"
		tag = strings.ToLower(tag)
		if v.Language == "" {
			return nil, provider.ConfigError(field, "Language is required")
		}
		if b, ok := builtinVoice(primary(tag)); ok {
			v.Goodbye = or(v.Goodbye, b.Goodbye)
		}
		if v.Goodbye == "" {
			return nil, provider.ConfigError(field, "Goodbye is required for a language twostep does not know")
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
