package email

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message"
)

// The names of the notice templates. Hosts override them with files
// "<language>/<name>" in NoticeConfig.Templates.
const (
	noticeSubject = "notice-subject.txt"
	noticeText    = "notice.txt"
	noticeHTML    = "notice.html"
)

// noticeKinds are the notices Notices sends, by the events that cause them.
var noticeKinds = []string{"added", "changed", "removed", "disabled", "recovery-used", "recovery-new", "reset"}

// NoticeConfig configures Notices.
type NoticeConfig struct {
	// Recipients returns where a user's notices go and in which language.
	// Required. An error, or an empty Address, sends nothing.
	Recipients func(ctx context.Context, userID string) (Recipient, error)
	// Sender delivers the notices, such as email/smtp's Sender. Required.
	Sender factor.Sender
	// Enrollments is the Manager's Store. Notices reads the enrollment a
	// confirmation is about, to tell a changed phone number from an added
	// method and to name the number's last two digits. Required.
	Enrollments factor.EnrollmentStore
	// AppName is the application's name as users know it, such as "Acme".
	// At most 64 bytes, no control characters.
	AppName string
	// DefaultLanguage is the language of notices to users whose
	// preference is empty or matches no supported language. Empty means
	// English ("en"), as factor.UserMessage.
	DefaultLanguage string
	// Languages adds languages beyond Dutch and English, as BCP 47 tags;
	// Templates must then hold all three files for each.
	Languages []string
	// Templates overrides the built-in notices with files named
	// "<language>/notice-subject.txt" and "<language>/notice.txt"
	// (text/template) and "<language>/notice.html" (html/template). They
	// may use .AppName, .Notice (one of "added", "changed", "removed",
	// "disabled", "recovery-used", "recovery-new", "reset"), .Kind,
	// .Ending and .Time, and must give every notice a subject and a body.
	Templates fs.FS
	// Location is the time zone of the times in notices. Nil means UTC.
	Location *time.Location
	// Timeout bounds the lookup and the send of one notice, which run
	// while the Manager's caller waits. Zero means 10 seconds; at most one
	// minute.
	Timeout time.Duration
	// Logger receives notices that could not be sent, without the
	// address. Nil discards them.
	Logger *slog.Logger
}

// Recipient is where a user's notices go.
type Recipient struct {
	// Address is the user's email address; empty sends nothing.
	Address string
	// Language is the user's language, a BCP 47 tag or an
	// Accept-Language value; empty gets NoticeConfig.DefaultLanguage.
	Language string
}

// Notices tells users by email, in their language, of every change of
// their two-step verification: a method added, a phone number changed, a
// method removed, two-step verification turned off, a recovery code used,
// new recovery codes, an administrator's reset. It is a factor.EventSink
// for factor.Config.Notifier and sends one email per change. A notice
// never holds a code or a secret, and names a phone number by its last two
// digits at most. It is immutable and safe for concurrent use.
type Notices struct {
	cfg  NoticeConfig
	msgs *message.Catalog
	log  *slog.Logger
}

var _ factor.EventSink = (*Notices)(nil)

// NewNotices checks cfg and returns Notices. A bad NoticeConfig is an
// error wrapping factor.ErrInvalidConfig.
func NewNotices(cfg NoticeConfig) (*Notices, error) {
	switch {
	case cfg.Recipients == nil:
		return nil, &factor.ConfigError{Field: "Recipients", Reason: "required"}
	case cfg.Sender == nil:
		return nil, &factor.ConfigError{Field: "Sender", Reason: "required"}
	case cfg.Enrollments == nil:
		return nil, &factor.ConfigError{Field: "Enrollments", Reason: "required"}
	case cfg.Timeout < 0 || cfg.Timeout > time.Minute:
		return nil, &factor.ConfigError{Field: "Timeout", Reason: "must be at most one minute"}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	msgs, err := message.New(message.Config{
		AppName:         cfg.AppName,
		DefaultLanguage: cfg.DefaultLanguage,
		Languages:       cfg.Languages,
		Templates:       cfg.Templates,
	}, noticeSubject, noticeText, noticeHTML)
	if err != nil {
		return nil, err
	}
	n := &Notices{cfg: cfg, msgs: msgs, log: cfg.Logger}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	return n, n.checkTemplates()
}

// checkTemplates renders every notice in every language, so that an
// override that leaves one out fails at start-up, not in a user's mailbox.
func (n *Notices) checkTemplates() error {
	for _, l := range n.msgs.Languages() {
		for _, kind := range noticeKinds {
			m, err := n.compose(l, message.Data{Notice: kind, Kind: string(factor.KindSMS), Ending: "78"})
			if err != nil {
				return err
			}
			if m.Subject == "" || strings.TrimSpace(m.Text) == "" || strings.TrimSpace(m.HTML) == "" {
				return &factor.ConfigError{Field: "Templates", Reason: l + ": notice " + kind + " renders empty"}
			}
		}
	}
	return nil
}

// Event sends the notice for e, if e is a change the user is told of. A
// notice that cannot be sent is logged, never returned: the change it
// tells of is stored already. The notice goes out even if ctx is
// cancelled, within NoticeConfig.Timeout.
func (n *Notices) Event(ctx context.Context, e factor.Event) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), n.cfg.Timeout)
	defer cancel()
	d, ok := n.notice(ctx, e)
	if !ok {
		return
	}
	if err := n.send(ctx, e.UserID, d); err != nil {
		n.log.LogAttrs(ctx, slog.LevelWarn, "twostep: notice not sent", slog.String("user", e.UserID),
			slog.String("event", string(e.Type)), slog.String("error", err.Error()))
		return
	}
	n.log.LogAttrs(ctx, slog.LevelDebug, "twostep: notice sent", slog.String("user", e.UserID), slog.String("event", string(e.Type)))
}

// notice chooses what to tell of e; false tells nothing. A phone number
// changes by a confirmation that replaces the old enrollment, which emits
// the old one's removal first: only the confirmation is told of.
func (n *Notices) notice(ctx context.Context, e factor.Event) (message.Data, bool) {
	d := message.Data{Kind: string(e.Kind), Time: e.Time.In(n.cfg.Location)}
	switch e.Type {
	case factor.EventConfirmed:
		d.Notice = "added"
		en, err := n.cfg.Enrollments.GetEnrollment(ctx, e.UserID, e.EnrollmentID)
		if err != nil {
			n.log.LogAttrs(ctx, slog.LevelWarn, "twostep: notice without the enrollment's details", slog.String("user", e.UserID), slog.String("error", err.Error()))
			break
		}
		if en.Replaces != "" {
			d.Notice = "changed"
		}
		d.Ending = ending(en)
	case factor.EventRemoved:
		d.Notice = "removed"
		if e.Reason == "replaced" {
			return d, false
		}
	case factor.EventDisabled:
		d.Notice = "disabled"
	case factor.EventRecoveryUsed:
		d.Notice = "recovery-used"
	case factor.EventRecoveryGenerated:
		d.Notice = "recovery-new"
	case factor.EventReset:
		d.Notice = "reset"
	default:
		return d, false
	}
	return d, true
}

// ending returns the last two digits of a phone enrollment's number.
func ending(e *factor.Enrollment) string {
	if e.Kind != factor.KindSMS && e.Kind != factor.KindVoice || len(e.Address) < 8 {
		return ""
	}
	end := e.Address[len(e.Address)-2:]
	if strings.Trim(end, "0123456789") != "" {
		return ""
	}
	return end
}

// send looks the user up and sends the notice. Its errors never hold the
// address.
func (n *Notices) send(ctx context.Context, userID string, d message.Data) error {
	r, err := n.cfg.Recipients(ctx, userID)
	if err != nil {
		return fmt.Errorf("email: recipient: %w", err)
	}
	if r.Address == "" {
		return errors.New("email: recipient: no address")
	}
	to, err := ParseAddress(r.Address)
	if err != nil {
		return err
	}
	m, err := n.compose(n.msgs.Negotiate(r.Language), d)
	if err != nil {
		return err
	}
	m.To, m.SentAt = to, d.Time
	return n.cfg.Sender.Send(ctx, m)
}

// compose renders the notice d in language l.
func (n *Notices) compose(l string, d message.Data) (factor.Message, error) {
	var parts [3]string
	for i, name := range []string{noticeSubject, noticeText, noticeHTML} {
		s, err := n.msgs.Render(name, l, d)
		if err != nil {
			return factor.Message{}, fmt.Errorf("email: %w", err)
		}
		parts[i] = s
	}
	return factor.Message{
		Kind:     factor.KindEmail,
		Language: l,
		Subject:  strings.Join(strings.Fields(parts[0]), " "),
		Text:     parts[1] + "\n",
		HTML:     parts[2],
	}, nil
}
