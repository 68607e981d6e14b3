// Package lang chooses among supported languages from a BCP 47 tag or an
// Accept-Language value, for message templates and user-facing error texts.
package lang

import (
	"golang.org/x/text/language"
)

// maxPreference bounds the preference Match parses; real Accept-Language
// headers are far shorter.
const maxPreference = 512

// Matcher chooses one of a fixed list of languages. It is immutable and
// safe for concurrent use.
type Matcher struct {
	langs   []string
	matcher language.Matcher
}

// New returns a Matcher for langs, canonical BCP 47 tags, the default
// first. langs must not be empty.
func New(langs ...string) *Matcher {
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = language.Make(l)
	}
	return &Matcher{langs: append([]string(nil), langs...), matcher: language.NewMatcher(tags)}
}

// Match returns the supported language that best matches pref, such as
// "nl" for "nl-BE,nl;q=0.9,en;q=0.8". An empty, unparsable or overlong
// preference, or one that matches nothing, gets the default.
func (m *Matcher) Match(pref string) string {
	if pref == "" || len(pref) > maxPreference {
		return m.langs[0]
	}
	tags, _, err := language.ParseAcceptLanguage(pref)
	if err != nil || len(tags) == 0 {
		return m.langs[0]
	}
	_, i, conf := m.matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(m.langs) {
		return m.langs[0]
	}
	return m.langs[i]
}
