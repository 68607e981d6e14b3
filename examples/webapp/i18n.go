// Scaffolding: Dutch and English texts and language negotiation, as any
// bilingual app has; this file does not call twostep.

package main

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/text/language"
)

// The app speaks Dutch and English; Dutch is the default, as in the
// portals whose guides the app follows.
var (
	languages = []string{"nl", "en"}
	matcher   = language.NewMatcher([]language.Tag{language.Dutch, language.English})
)

// langCookie remembers a language the user picked with the switch link.
const langCookie = "webapp-lang"

//go:embed lang/*.json
var langFS embed.FS

// texts maps a language to its texts by key. The keys are the same in
// every language; a test checks that.
var texts = loadTexts()

func loadTexts() map[string]map[string]string {
	out := make(map[string]map[string]string, len(languages))
	for _, l := range languages {
		b, err := langFS.ReadFile("lang/" + l + ".json")
		if err != nil {
			panic(err)
		}
		m := make(map[string]string)
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("lang/%s.json: %v", l, err))
		}
		out[l] = m
	}
	return out
}

// tr returns the text for key in lang; a missing key shows as such.
func tr(lang, key string) string {
	if s, ok := texts[lang][key]; ok {
		return s
	}
	return "[" + key + "]"
}

// trf formats the text for key in lang with args.
func trf(lang, key string, args ...any) string {
	return fmt.Sprintf(tr(lang, key), args...)
}

// negotiate picks the language of a request: the one the user chose with
// the switch, else the best match of Accept-Language, else Dutch.
func negotiate(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && texts[c.Value] != nil {
		return c.Value
	}
	accept := r.Header.Get("Accept-Language")
	if accept == "" || len(accept) > 512 {
		return languages[0]
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return languages[0]
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return languages[0]
	}
	return languages[i]
}

// handleLang switches the language: GET /lang/{lang}?next=/path.
func (a *App) handleLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if texts[l] != nil {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: a.secure(r), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
	}
	redirect(w, r, r.URL.Query().Get("next")) // localPath keeps it on this site
}

// formatDate shows a date the way the language writes it.
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	day := t.Format("2 Jan 2006")
	if lang == "nl" {
		day = fmt.Sprintf("%d %s %d", t.Day(), dutchMonths[t.Month()-1], t.Year())
	}
	if t.Hour() == 0 && t.Minute() == 0 {
		return day // a date, not a moment
	}
	return day + t.Format(" 15:04")
}

var dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

// kindName names a kind of method in lang.
func kindName(lang, kind string) string { return tr(lang, "kind_"+kind) }

// durationName names a remember-me duration in lang, such as "1 dag".
func durationName(lang string, d time.Duration) string {
	switch {
	case d < 24*time.Hour:
		return trf(lang, "dur_hours", int(d/time.Hour))
	case d == 24*time.Hour:
		return tr(lang, "dur_day")
	case d == 7*24*time.Hour:
		return tr(lang, "dur_week")
	}
	return trf(lang, "dur_days", int(d/(24*time.Hour)))
}
