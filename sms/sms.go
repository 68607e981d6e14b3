// Package sms delivers one-time codes by text message.
//
// A Factor does two things for the factor.Manager, which holds all the
// rules: Prepare turns the number a user typed ("06-12345678") into E.164
// ("+31612345678") and refuses anything that is not a mobile number of an
// allowed country, and Compose writes the text, in Dutch or English. The
// Manager generates, stores, limits and checks the codes; a factor.Sender
// (sms/twilio, sms/bird) delivers the texts.
//
// Enrolling a number is a pending enrollment confirmed by a code sent to
// it:
//
//	e, err := m.Enroll(ctx, factor.Enrollment{UserID: "alice", Kind: factor.KindSMS, Address: "06-12345678"}, now)
//	sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: e.ID, Language: acceptLanguage}, now)
//	_, err = m.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: typed}, now)
//
// Logging in is the same with Verify instead of Confirm. A user may have
// several numbers; the first confirmed one becomes primary, and
// Manager.SetPrimary changes that.
package sms

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/phone"
	"github.com/twostep/twostep/internal/message"
)

// template is the name of the SMS text template. Hosts override it with a
// file "<language>/sms.txt" in Config.Templates.
const template = "sms.txt"

// Config configures a Factor. The zero Config accepts Dutch mobile numbers
// and writes Dutch texts to users who prefer Dutch, English to everyone
// else.
type Config struct {
	// Phones parses numbers and decides which may receive texts. The zero
	// Parser accepts Dutch numbers only; set AllowedRegions to accept more
	// countries, mindful of what texts to them cost.
	Phones phone.Parser
	// AppName is the application's name as users know it, such as "Acme".
	// Every text names it, so users know who sent the code. At most 64
	// bytes, no control characters.
	AppName string
	// DefaultLanguage is the language of texts for users whose preference
	// is empty or matches no supported language. Empty means English
	// ("en"), as factor.UserMessage.
	DefaultLanguage string
	// Languages adds languages beyond Dutch and English, as BCP 47 tags;
	// Templates must then hold "<language>/sms.txt" for each.
	Languages []string
	// Templates overrides the built-in text with files named
	// "<language>/sms.txt", text/template templates that may use .AppName,
	// .Code, .Length, .Minutes and .Domain. Nil uses the built-in texts.
	Templates fs.FS
	// WebOTPDomain, when set, adds the WebOTP line "@<domain> #<code>" to
	// every text, so that browsers can offer to fill in the code. It is
	// the host name of the login page, such as "login.example.com".
	WebOTPDomain string
}

// Factor is the SMS factor. It implements factor.Challenger and
// factor.Preparer. It is immutable and safe for concurrent use.
type Factor struct {
	phones phone.Parser
	msgs   *message.Catalog
	domain string
}

var (
	_ factor.Challenger = (*Factor)(nil)
	_ factor.Preparer   = (*Factor)(nil)
)

// New checks cfg and returns a Factor. A bad Config is an error wrapping
// factor.ErrInvalidConfig.
func New(cfg Config) (*Factor, error) {
	if err := cfg.Phones.Validate(); err != nil {
		return nil, &factor.ConfigError{Field: "Phones", Reason: err.Error()}
	}
	if err := checkDomain(cfg.WebOTPDomain); err != nil {
		return nil, err
	}
	msgs, err := message.New(message.Config{
		AppName:         cfg.AppName,
		DefaultLanguage: cfg.DefaultLanguage,
		Languages:       cfg.Languages,
		Templates:       cfg.Templates,
	}, template)
	if err != nil {
		return nil, err
	}
	return &Factor{phones: cfg.Phones, msgs: msgs, domain: cfg.WebOTPDomain}, nil
}

// Kind returns factor.KindSMS.
func (f *Factor) Kind() factor.Kind { return factor.KindSMS }

// Prepare parses e.Address as a phone number that may receive texts and
// replaces it with its E.164 form. An empty Label becomes the masked
// number, such as "+31 6 •••• 5678", for lists of the user's numbers. A
// refused number is an error wrapping both factor.ErrMalformed and the
// phone package's sentinel (phone.ErrNotMobile, phone.ErrPremiumRate, …),
// and never contains the full number.
func (f *Factor) Prepare(e *factor.Enrollment) error {
	n, err := f.phones.ForSMS(e.Address)
	if err != nil {
		return fmt.Errorf("sms: %w: %w", factor.ErrMalformed, err)
	}
	e.Address = n.E164
	if e.Label == "" {
		e.Label = n.Masked()
	}
	return nil
}

// Compose writes the text that delivers code for challenge c to e, in the
// supported language that best matches lang (a tag or an Accept-Language
// value).
func (f *Factor) Compose(e *factor.Enrollment, c *factor.Challenge, code, lang string) (factor.Message, error) {
	l := f.msgs.Negotiate(lang)
	text, err := f.msgs.Render(template, l, message.Data{
		Code:    code,
		Length:  len(code),
		Minutes: message.Minutes(c.ExpiresAt.Sub(c.SentAt)),
		Domain:  f.domain,
	})
	if err != nil {
		return factor.Message{}, fmt.Errorf("sms: %w", err)
	}
	return factor.Message{
		Kind:        factor.KindSMS,
		To:          e.Address,
		Code:        code,
		ChallengeID: c.ID,
		Language:    l,
		Text:        text,
		ExpiresAt:   c.ExpiresAt,
	}, nil
}

// checkDomain refuses a WebOTP domain that is not a plain host name.
func checkDomain(d string) error {
	if d == "" {
		return nil
	}
	ok := len(d) <= 253 && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
	for _, r := range d {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.')
	}
	if !ok {
		return &factor.ConfigError{Field: "WebOTPDomain", Reason: "must be a host name such as login.example.com"}
	}
	return nil
}
