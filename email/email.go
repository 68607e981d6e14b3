// Package email delivers one-time codes by email, with an HTML and a
// plain-text body in Dutch or English, and tells users of changes to
// their two-step verification.
//
// Email is a weak second factor: whoever knows the password often knows
// the mailbox's too. So the factor.Manager offers email
// codes only to users who have no other confirmed enrollment, unless
// factor.DeliveredCodes.EmailAlongside allows them beside other enrollments. Enrolling
// or challenging email for a user with, say, an authenticator app is an
// error wrapping factor.ErrEmailFallback (and so factor.ErrNotAllowed).
//
// A Factor checks addresses (Prepare) and writes the message (Compose); the
// Manager generates, stores, limits and checks the codes; a factor.Sender
// such as email/smtp delivers the message. The subject never contains the
// code, so that it does not show on lock screens.
//
// Notices, a factor.EventSink for factor.Config.Notifier, tells users by
// email, in their language, of every change of their two-step
// verification, without any code or secret in the mail.
package email

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message"
)

// The names of the message templates. Hosts override them with files
// "<language>/<name>" in Config.Templates.
const (
	subjectTemplate = "email-subject.txt"
	textTemplate    = "email.txt"
	htmlTemplate    = "email.html"

	linkSubjectTemplate = "link-subject.txt"
	linkTextTemplate    = "link.txt"
	linkHTMLTemplate    = "link.html"
)

// Config configures a Factor. The zero Config writes Dutch messages to
// users who prefer Dutch, English to everyone else.
type Config struct {
	// AppName is the application's name as users know it, such as "Acme".
	// Subject and bodies name it. At most 64 bytes, no control characters.
	AppName string
	// DefaultLanguage is the language of messages to users whose
	// preference is empty or matches no supported language. Empty means
	// English ("en"), as factor.UserMessage.
	DefaultLanguage string
	// Languages adds languages beyond Dutch and English, as BCP 47 tags;
	// Templates must then hold all three files for each.
	Languages []string
	// Templates overrides the built-in messages with files named
	// "<language>/email-subject.txt" and "<language>/email.txt"
	// (text/template) and "<language>/email.html" (html/template, which
	// escapes everything it inserts). They may use .AppName, .Code and
	// .Minutes; the subject must not use .Code. The mail that confirms a
	// change of phone number (factor.ChangeByEmail) has its own three
	// files, "link-subject.txt", "link.txt" and "link.html", which may use
	// .AppName, .Link, .Number (masked) and .Minutes; its subject must not
	// use .Link. Nil uses the built-in messages.
	Templates fs.FS
}

// Factor is the email factor. It implements factor.Challenger and
// factor.Preparer. It is immutable and safe for concurrent use.
type Factor struct {
	msgs *message.Catalog
}

var (
	_ factor.Challenger   = (*Factor)(nil)
	_ factor.Preparer     = (*Factor)(nil)
	_ factor.LinkComposer = (*Factor)(nil)
)

// New checks cfg and returns a Factor. A bad Config is an error wrapping
// factor.ErrInvalidConfig.
func New(cfg Config) (*Factor, error) {
	msgs, err := message.New(message.Config{
		AppName:         cfg.AppName,
		DefaultLanguage: cfg.DefaultLanguage,
		Languages:       cfg.Languages,
		Templates:       cfg.Templates,
	}, subjectTemplate, textTemplate, htmlTemplate, linkSubjectTemplate, linkTextTemplate, linkHTMLTemplate)
	if err != nil {
		return nil, err
	}
	if err := checkSubject(msgs); err != nil {
		return nil, err
	}
	return &Factor{msgs: msgs}, nil
}

// checkSubject refuses subject templates that show the code: subjects show
// on lock screens and in notification previews.
func checkSubject(msgs *message.Catalog) error {
	const probe = "4711081542"
	for _, l := range msgs.Languages() {
		s, err := msgs.Render(subjectTemplate, l, message.Data{Code: probe, Length: len(probe), Minutes: 5})
		if err != nil {
			return err
		}
		if strings.Contains(s, probe) {
			return &factor.ConfigError{Field: "Templates", Reason: l + "/" + subjectTemplate + " must not contain the code"}
		}
		s, err = msgs.Render(linkSubjectTemplate, l, message.Data{Link: "https://example.com/?token=" + probe, Number: "+31 6 •••• 5678", Minutes: 60})
		if err != nil {
			return err
		}
		if strings.Contains(s, probe) {
			return &factor.ConfigError{Field: "Templates", Reason: l + "/" + linkSubjectTemplate + " must not contain the link"}
		}
	}
	return nil
}

// Kind returns factor.KindEmail.
func (f *Factor) Kind() factor.Kind { return factor.KindEmail }

// Prepare checks e.Address with ParseAddress and stores it in canonical
// form. A refused address is a *factor.InputError, which wraps
// factor.ErrMalformed and does not contain the address.
func (f *Factor) Prepare(e *factor.Enrollment) error {
	addr, err := ParseAddress(e.Address)
	if err != nil {
		return err
	}
	e.Address = addr
	return nil
}

// Compose writes the message that delivers code for challenge c to e, in
// the supported language that best matches lang.
func (f *Factor) Compose(e *factor.Enrollment, c *factor.Challenge, code, lang string) (factor.Message, error) {
	l := f.msgs.Negotiate(lang)
	d := message.Data{Code: code, Length: len(code), Minutes: message.Minutes(c.ExpiresAt.Sub(c.SentAt))}
	parts, err := f.render(l, d, subjectTemplate, textTemplate, htmlTemplate)
	if err != nil {
		return factor.Message{}, err
	}
	return factor.Message{
		Kind:        factor.KindEmail,
		To:          e.Address,
		Code:        code,
		ChallengeID: c.ID,
		Language:    l,
		Subject:     strings.Join(strings.Fields(parts[0]), " "),
		Text:        parts[1] + "\n",
		HTML:        parts[2],
		ExpiresAt:   c.ExpiresAt,
	}, nil
}

// ComposeLink writes the mail to the account's address to that asks the
// user to confirm a new phone number with l.URL, in the supported language
// that best matches lang. It shows the new number masked, never whole, and
// no code. It implements factor.LinkComposer.
func (f *Factor) ComposeLink(to string, l factor.ChangeLink, lang string) (factor.Message, error) {
	lg := f.msgs.Negotiate(lang)
	d := message.Data{Link: l.URL, Number: l.Masked, Minutes: message.Minutes(l.ExpiresAt.Sub(l.SentAt))}
	parts, err := f.render(lg, d, linkSubjectTemplate, linkTextTemplate, linkHTMLTemplate)
	if err != nil {
		return factor.Message{}, err
	}
	return factor.Message{
		Kind:      factor.KindEmail,
		To:        to,
		Language:  lg,
		Subject:   strings.Join(strings.Fields(parts[0]), " "),
		Text:      parts[1] + "\n",
		HTML:      parts[2],
		SentAt:    l.SentAt,
		ExpiresAt: l.ExpiresAt,
	}, nil
}

// render renders a mail's subject, text and HTML templates in lang.
func (f *Factor) render(lang string, d message.Data, subject, text, html string) ([3]string, error) {
	var parts [3]string
	for i, name := range []string{subject, text, html} {
		s, err := f.msgs.Render(name, lang, d)
		if err != nil {
			return parts, fmt.Errorf("email: %w", err)
		}
		parts[i] = s
	}
	return parts, nil
}
