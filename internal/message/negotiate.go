package message

import (
	"fmt"
	"slices"

	"golang.org/x/text/language"
)

// Negotiate chooses the supported language that best matches pref, a BCP 47
// tag such as "en-US" or an Accept-Language value such as
// "nl-BE,nl;q=0.9,en;q=0.8". An empty, unparsable or overlong preference,
// or one that matches no supported language, gets the default language.
func (c *Catalog) Negotiate(pref string) string {
	return c.matcher.Match(pref)
}

// supported returns the supported languages in canonical form, the default
// first.
func supported(cfg Config) ([]string, error) {
	def := cfg.DefaultLanguage
	if def == "" {
		def = English
	}
	all := append([]string{Dutch, English}, cfg.Languages...)
	var langs []string
	for _, l := range all {
		t, err := language.Parse(l)
		if err != nil {
			return nil, configError("Languages", fmt.Sprintf("%q is not a BCP 47 tag", l))
		}
		if s := t.String(); !slices.Contains(langs, s) {
			langs = append(langs, s)
		}
	}
	dt, err := language.Parse(def)
	if err != nil || !slices.Contains(langs, dt.String()) {
		return nil, configError("DefaultLanguage", fmt.Sprintf("%q is not a supported language", def))
	}
	i := slices.Index(langs, dt.String())
	langs = slices.Insert(slices.Delete(langs, i, i+1), 0, dt.String())
	return langs, nil
}
