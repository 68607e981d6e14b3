// Package message renders the texts that carry codes to users, the SMS
// text, the voice-call script and the email subject and bodies, in the
// user's language. It is shared by the sms, voice and email packages, so
// that templates, overrides and language negotiation exist once.
//
// Templates are embedded, one directory per language ("nl", "en"), one file
// per text. Files ending in ".html" are html/template templates, which
// escape everything they insert; all others are text/template templates.
// A host overrides any file by providing one with the same path in
// Config.Templates, and adds a language by listing it in Config.Languages
// and providing every file for it there. Every template is parsed and
// executed once with sample data when the Catalog is made, so a broken
// override fails at start-up and not when a user waits for a code.
package message

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/lang"
)

// builtin holds the texts twostep ships, in Dutch and English.
//
//go:embed templates
var builtin embed.FS

// The languages twostep ships texts for, as BCP 47 tags.
const (
	Dutch   = "nl"
	English = "en"
)

// maxAppName bounds Config.AppName, which ends up in every SMS.
const maxAppName = 64

// Config configures a Catalog. The zero Config gives the built-in Dutch and
// English texts without an application name, English by default.
type Config struct {
	// AppName is the application's name as users know it, such as "Acme".
	// It appears in every message so users know who sent it. At most 64
	// bytes, no control characters. Empty leaves it out.
	AppName string
	// DefaultLanguage is the language used when the user's preference
	// is empty or matches no supported language. Empty means English
	// ("en"), the fallback of factor.UserMessage too, so that a page and
	// the code it sends never speak two languages; Dutch hosts whose users
	// state no preference set "nl".
	DefaultLanguage string
	// Languages adds languages beyond Dutch and English, as BCP 47 tags
	// such as "de". Templates must hold every file for each of them.
	Languages []string
	// Templates overrides built-in templates and provides those of added
	// languages, as files named "<language>/<name>", such as "nl/sms.txt".
	// Nil uses the built-in templates only.
	Templates fs.FS
}

// Data is what a template may use.
type Data struct {
	// AppName is Config.AppName; the Catalog fills it in.
	AppName string
	// Code is the code to deliver. It is empty in voice keypad scripts,
	// which must never speak the digits the screen shows.
	Code string
	// Length is the number of digits the user is asked for.
	Length int
	// Minutes is how long the code stays valid, in whole minutes, at least
	// one.
	Minutes int
	// Domain is the web origin's host for the WebOTP line of an SMS
	// ("@example.com #123456"); empty leaves the line out.
	Domain string
	// Notice names the change of the user's methods that a notice email
	// tells of: "added", "changed", "removed", "disabled",
	// "recovery-used", "recovery-new" or "reset". Notices carry no code.
	Notice string
	// Kind is the kind of method a notice is about, such as "sms"; empty
	// when it is about none.
	Kind string
	// Ending is the last two digits of the phone number a notice is
	// about; empty when there is none.
	Ending string
	// Time is when the change happened, in the host's time zone.
	Time time.Time
	// Link is the link of a mail that confirms a change of phone number;
	// it carries a one-time token. Empty in other messages.
	Link string
	// Number is the new phone number of such a mail, masked.
	Number string
}

// executor is what html/template and text/template templates have in
// common.
type executor interface {
	Execute(w io.Writer, data any) error
}

// Catalog holds the parsed templates of one channel in every supported
// language. It is immutable and safe for concurrent use.
type Catalog struct {
	appName   string
	languages []string // supported languages, the default first
	matcher   *lang.Matcher
	templates map[string]executor // by "<language>/<name>"
}

// New parses the templates called names (such as "sms.txt") in every
// supported language and checks that each one renders. A bad Config is an
// error wrapping factor.ErrInvalidConfig.
func New(cfg Config, names ...string) (*Catalog, error) {
	if err := checkAppName(cfg.AppName); err != nil {
		return nil, err
	}
	langs, err := supported(cfg)
	if err != nil {
		return nil, err
	}
	c := &Catalog{appName: cfg.AppName, languages: langs, matcher: lang.New(langs...), templates: make(map[string]executor)}
	for _, l := range langs {
		for _, name := range names {
			if err := c.load(cfg.Templates, l, name); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// Languages returns the supported languages, the default first.
func (c *Catalog) Languages() []string {
	return append([]string(nil), c.languages...)
}

// Render executes the template called name in lang, a language returned by
// Negotiate. Text results are trimmed of surrounding white space.
func (c *Catalog) Render(name, lang string, d Data) (string, error) {
	t, ok := c.templates[lang+"/"+name]
	if !ok {
		return "", fmt.Errorf("message: no template %q in language %q", name, lang)
	}
	d.AppName = c.appName
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("message: render %s/%s: %w", lang, name, err)
	}
	if strings.HasSuffix(name, ".html") {
		return b.String(), nil
	}
	return strings.TrimSpace(b.String()), nil
}

// load parses one template, preferring the host's file, and renders it
// once with sample data.
func (c *Catalog) load(override fs.FS, lang, name string) error {
	path := lang + "/" + name
	src, err := readTemplate(override, path)
	if err != nil {
		return err
	}
	t, err := parse(path, string(src))
	if err != nil {
		return configError("Templates", fmt.Sprintf("%s: %v", path, err))
	}
	c.templates[path] = t
	sample := Data{Code: "123456", Length: 6, Minutes: 5, Domain: "example.com", Link: "https://example.com/link?token=x", Number: "+31 6 •••• 5678"}
	if _, err := c.Render(name, lang, sample); err != nil {
		return configError("Templates", err.Error())
	}
	return nil
}

// readTemplate reads path from the override, or else from the built-in
// templates.
func readTemplate(override fs.FS, path string) ([]byte, error) {
	if override != nil {
		src, err := fs.ReadFile(override, path)
		if err == nil {
			return src, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, configError("Templates", fmt.Sprintf("%s: %v", path, err))
		}
	}
	src, err := builtin.ReadFile("templates/" + path)
	if err != nil {
		return nil, configError("Templates", path+": missing")
	}
	return src, nil
}

// parse parses src with the template engine its name asks for.
func parse(name, src string) (executor, error) {
	if strings.HasSuffix(name, ".html") {
		return htmltemplate.New(name).Funcs(htmltemplate.FuncMap{"spell": Spell}).Option("missingkey=error").Parse(src)
	}
	return texttemplate.New(name).Funcs(texttemplate.FuncMap{"spell": Spell}).Option("missingkey=error").Parse(src)
}

// Spell separates the characters of s with commas, so that text-to-speech
// reads a code digit by digit: "1, 2, 3".
func Spell(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteRune(r)
	}
	return b.String()
}

// checkAppName refuses names that could break a message or an email
// header.
func checkAppName(name string) error {
	switch {
	case len(name) > maxAppName:
		return configError("AppName", "longer than 64 bytes")
	case !utf8.ValidString(name):
		return configError("AppName", "not valid UTF-8")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return configError("AppName", "contains control characters")
	}
	return nil
}

func configError(field, reason string) error {
	return &factor.ConfigError{Field: field, Reason: reason}
}

// Minutes returns d in whole minutes for a message, rounded down so that a
// message never promises more time than the code has, and at least one.
func Minutes(d time.Duration) int {
	return max(1, int(d/time.Minute))
}
