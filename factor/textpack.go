package factor

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/twostep/twostep/internal/lang"
	"golang.org/x/text/language"
)

// TextPack is the user-facing texts of one language, for languages beyond
// the built-in Dutch and English or to reword those: a plain map from a
// text's key to the text. BuiltinTexts returns the English pack, which
// names every key, for a translator to start from.
//
// Texts about a wait contain "{wait}", which becomes a duration made of the
// "wait-…" texts; "wait-seconds", "wait-minutes" and "wait-hours" contain
// "{n}", the number.
type TextPack struct {
	// Language is the pack's BCP 47 tag, such as "de" or "fr-BE".
	Language string
	// Texts maps every key of the built-in English pack to its text.
	Texts map[string]string
}

// Texts chooses user-facing texts among the built-in Dutch and English and
// the host's packs. It is immutable and safe for concurrent use. The
// package functions UserMessage and ReplyFor use the built-in texts alone.
type Texts struct {
	matcher *lang.Matcher
	packs   map[string]map[string]string // by canonical tag
}

// keyed names each error of userTexts by the key of its text in a pack.
var keyed = map[error]string{
	ErrNoActivationCode:   "no-activation-code",
	ErrActivationExpired:  "activation-expired",
	ErrActivationUsed:     "activation-used",
	ErrActivationRequired: "activation-required",
	ErrChallengeMismatch:  "challenge-mismatch",
	ErrChallengeRequired:  "challenge-required",
	ErrTooManyPending:     "too-many-pending",
	ErrInvalidCode:        "invalid-code",
	ErrMalformed:          "malformed",
	ErrLastEnrollment:     "last-enrollment",
	ErrStepUpRequired:     "step-up-required",
	ErrRequired:           "required",
	ErrEmailFallback:      "email-fallback",
	ErrKindNotOffered:     "kind-not-offered",
	ErrNotConfirmed:       "not-confirmed",
	ErrLinkRequired:       "link-required",
	ErrLinkInvalid:        "link-invalid",
	ErrNoAccountEmail:     "no-account-email",
	ErrNotAllowed:         "not-allowed",
	ErrUnknownKind:        "unknown-kind",
	ErrNotFound:           "not-found",
	ErrDelivery:           "delivery",
	ErrSealed:             "sealed",
}

// waitTexts are the texts that say how long to wait, and the wait units.
var waitTexts = map[string]text{
	"locked":       {"Te veel onjuiste pogingen. Probeer het over {wait} opnieuw.", "Too many incorrect attempts. Please try again in {wait}."},
	"removing":     {"Er wordt al een methode verwijderd. Probeer het over {wait} opnieuw.", "A method is being removed already. Please try again in {wait}."},
	"resend":       {"U heeft net een code gekregen. U kunt over {wait} een nieuwe vragen, of een andere methode kiezen.", "A code was sent just now. You can ask for a new one in {wait}, or choose another method."},
	"rate-limited": {"Er zijn te veel codes verstuurd. Probeer het over {wait} opnieuw, of kies een andere methode.", "Too many codes were sent. Please try again in {wait}, or choose another method."},
	"generic":      {"Er ging iets mis. Probeer het later opnieuw.", "Something went wrong. Please try again later."},
	"wait-second":  {"1 seconde", "1 second"},
	"wait-seconds": {"{n} seconden", "{n} seconds"},
	"wait-minute":  {"1 minuut", "1 minute"},
	"wait-minutes": {"{n} minuten", "{n} minutes"},
	"wait-hours":   {"{n} uur", "{n} hours"},
}

// builtin holds the built-in packs; UserMessage uses it.
var builtin = newBuiltin()

func newBuiltin() *Texts {
	nl, en := map[string]string{}, map[string]string{}
	for k, t := range waitTexts {
		nl[k], en[k] = t.nl, t.en
	}
	for _, t := range userTexts {
		if k, ok := keyed[t.err]; ok {
			nl[k], en[k] = t.txt.nl, t.txt.en
		}
	}
	return &Texts{matcher: lang.New("en", "nl"), packs: map[string]map[string]string{"en": en, "nl": nl}}
}

// BuiltinTexts returns a copy of the built-in pack for "nl" or "en"; any
// other language gets English. Its keys are the ones every pack must hold.
func BuiltinTexts(language string) TextPack {
	l := builtin.matcher.Match(language)
	return TextPack{Language: l, Texts: maps.Clone(builtin.packs[l])}
}

// NewTexts returns Texts with the built-in Dutch and English and packs, in
// which a pack for "nl" or "en" replaces the built-in one. Anyone whose
// preference matches none of them gets English. A pack must hold every key
// of the built-in English pack and no other, each text non-empty, without
// control characters, and with the placeholders its English text has, so
// that a typo cannot show a person an empty or broken message. A refused
// pack is a *ConfigError wrapping ErrInvalidConfig; it names the key but
// never quotes a text.
func NewTexts(packs ...TextPack) (*Texts, error) {
	t := &Texts{packs: maps.Clone(builtin.packs)}
	langs := []string{"en", "nl"}
	for i, p := range packs {
		field := fmt.Sprintf("Texts[%d]", i)
		tag, err := language.Parse(p.Language)
		if err != nil {
			return nil, &ConfigError{Field: field, Reason: "Language is not a BCP 47 tag"}
		}
		l := tag.String()
		if err := checkPack(p.Texts); err != nil {
			return nil, &ConfigError{Field: field, Reason: l + ": " + err.Error()}
		}
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
		t.packs[l] = maps.Clone(p.Texts)
	}
	t.matcher = lang.New(langs...)
	return t, nil
}

// checkPack compares a pack's keys and placeholders with English.
func checkPack(texts map[string]string) error {
	en := builtin.packs["en"]
	for _, k := range slices.Sorted(maps.Keys(texts)) {
		if _, ok := en[k]; !ok {
			return fmt.Errorf("unknown key %q", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(en)) {
		s, ok := texts[k]
		switch {
		case !ok || strings.TrimSpace(s) == "":
			return fmt.Errorf("no text for key %q", k)
		case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
			return fmt.Errorf("text for key %q is not valid UTF-8 or holds a control character", k)
		}
		for _, ph := range []string{"{wait}", "{n}"} {
			if strings.Contains(en[k], ph) != strings.Contains(s, ph) {
				return fmt.Errorf("text for key %q must contain %s exactly when the English text does", k, ph)
			}
		}
	}
	return nil
}

// UserMessage returns the text for a person about err in the language that
// best matches language (a BCP 47 tag or Accept-Language value), English
// when nothing matches. In Dutch and English an error that carries its own
// text (a Localizer) gives that text. The text never contains a secret;
// errors without a specific text get a generic one; nil gets "".
func (t *Texts) UserMessage(err error, language string) string {
	if err == nil {
		return ""
	}
	l := t.matcher.Match(language)
	var loc Localizer
	if (l == "nl" || l == "en") && errors.As(err, &loc) {
		return loc.UserMessage(l)
	}
	pack := t.packs[l]
	key, wait := messageKey(err)
	s := pack[key]
	if strings.Contains(s, "{wait}") {
		s = strings.ReplaceAll(s, "{wait}", waitText(pack, wait))
	}
	return s
}

// messageKey chooses the text for err, more specific errors before the
// ones they wrap, and the wait it speaks of.
func messageKey(err error) (string, time.Duration) {
	var le *LockedError
	if errors.As(err, &le) {
		return "locked", le.RetryAfter
	}
	var rl *RateLimitError
	if errors.As(err, &rl) {
		switch rl.Scope {
		case "remove":
			return "removing", rl.RetryAfter
		case "resend":
			return "resend", rl.RetryAfter
		}
		return "rate-limited", rl.RetryAfter
	}
	for _, ut := range userTexts {
		if k, ok := keyed[ut.err]; ok && errors.Is(err, ut.err) {
			return k, 0
		}
	}
	return "generic", 0
}

// waitText says d in the pack's words, rounded up to whole seconds under a
// minute, to whole minutes up to two hours, and to whole hours past that.
func waitText(pack map[string]string, d time.Duration) string {
	var key string
	var n int
	switch {
	case d < time.Minute:
		key, n = "wait-seconds", max(1, int((d+time.Second-1)/time.Second))
	case d > 2*time.Hour:
		key, n = "wait-hours", int((d+time.Hour-1)/time.Hour)
	default:
		key, n = "wait-minutes", int((d+time.Minute-1)/time.Minute)
	}
	if n == 1 {
		key = strings.TrimSuffix(key, "s")
	}
	return strings.ReplaceAll(pack[key], "{n}", strconv.Itoa(n))
}
