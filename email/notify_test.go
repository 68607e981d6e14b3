package email_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/totp"
)

// texts is a stand-in SMS factor: the root module's tests cannot import
// the sms module.
type texts struct{}

func (texts) Kind() factor.Kind { return factor.KindSMS }

func (texts) Compose(e *factor.Enrollment, c *factor.Challenge, code, lang string) (factor.Message, error) {
	return factor.Message{Kind: factor.KindSMS, To: e.Address, Code: code, ChallengeID: c.ID, Language: lang, Text: "Code " + code, ExpiresAt: c.ExpiresAt}, nil
}

// people are the test's users: alice reads English, bob Dutch.
var people = map[string]email.Recipient{
	"alice": {Address: "alice@example.com", Language: "en-GB,en;q=0.9"},
	"bob":   {Address: "bob@example.nl", Language: "nl"},
}

func lookup(_ context.Context, userID string) (email.Recipient, error) {
	r, ok := people[userID]
	if !ok {
		return email.Recipient{}, errors.New("no such user")
	}
	return r, nil
}

// noticeEnv is a Manager whose Notifier is Notices, sending through mails.
type noticeEnv struct {
	*messagetest.Env
	mails *factortest.RecordingSender
	codes *recovery.Codes
}

func newNoticeEnv(t *testing.T, cfg email.NoticeConfig) *noticeEnv {
	t.Helper()
	var notices *email.Notices
	app, err := totp.New(totp.Config{Issuer: "Acme"})
	require.NoError(t, err)
	env := messagetest.NewEnv(t, factor.Config{
		Factors:  []factor.Factor{texts{}, app},
		Notifier: factor.EventFunc(func(ctx context.Context, e factor.Event) { notices.Event(ctx, e) }),
	})
	n := &noticeEnv{Env: env, mails: &factortest.RecordingSender{}}
	cfg.Enrollments, cfg.Logger = env.Store, slog.New(slog.NewJSONHandler(env.Log, nil))
	if cfg.Sender == nil {
		cfg.Sender = n.mails
	}
	if cfg.Recipients == nil {
		cfg.Recipients = lookup
	}
	notices, err = email.NewNotices(cfg)
	require.NoError(t, err)
	n.codes, err = recovery.New(env.M, recovery.Config{})
	require.NoError(t, err)
	return n
}

// subjects returns the subjects of the mails sent since from.
func (n *noticeEnv) subjects(from int) []string {
	var out []string
	for _, m := range n.mails.Messages()[from:] {
		out = append(out, m.To+": "+m.Subject)
	}
	return out
}

// TestNoticesOneMailPerChange drives every kind of change through a
// Manager and checks that each sends exactly one mail, in the user's
// language, and that no mail holds a code, a number or a secret.
func TestNoticesOneMailPerChange(t *testing.T) {
	n := newNoticeEnv(t, email.NoticeConfig{AppName: "Acme"})
	ctx := context.Background()
	step := func(name string, want string, change func()) {
		t.Helper()
		before := len(n.mails.Messages())
		change()
		assert.Equal(t, []string{want}, n.subjects(before), name)
	}

	var phone *factor.Enrollment
	step("first method", "alice@example.com: A sign-in method was added at Acme", func() {
		phone = n.EnrollConfirmed(t, "alice", factor.KindSMS, "+31612345678")
	})
	var list []string
	step("recovery codes", "alice@example.com: New recovery codes were made at Acme", func() {
		var err error
		list, err = n.codes.Generate(ctx, "alice", n.Now())
		require.NoError(t, err)
		n.Secret(list...)
	})
	step("recovery code used", "alice@example.com: A recovery code was used at Acme", func() {
		_, err := n.codes.Redeem(ctx, "alice", list[0], n.Now())
		require.NoError(t, err)
	})
	step("app added", "alice@example.com: A sign-in method was added at Acme", func() {
		app := n.EnrollTOTP(t, "alice")
		n.Secret(string(app.Secret))
	})
	step("number changed", "alice@example.com: Your phone number was changed at Acme", func() {
		n.Secret("+31687654399")
		en, err := n.M.Enroll(ctx, factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "+31687654399", Replaces: phone.ID, StepUp: n.StepUp(t, "alice")}, n.Now())
		require.NoError(t, err)
		sent, code := n.Challenge(t, "alice", en.ID, false)
		require.NoError(t, factortest.Err(n.M.Confirm(ctx, factor.Answer{UserID: "alice", ChallengeID: sent.ChallengeID, Code: code}, n.Now())))
		phone = &en.Enrollment
	})
	changed, _ := n.mails.Last()
	assert.Contains(t, changed.Text, "text messages (SMS) to the phone number ending in 99", "the new number's last digits")
	step("number removed", "alice@example.com: A sign-in method was removed at Acme", func() {
		require.NoError(t, n.M.Remove(ctx, factor.RemoveRequest{UserID: "alice", EnrollmentID: phone.ID, StepUp: n.StepUp(t, "alice")}, n.Now()))
	})
	step("turned off", "alice@example.com: Two-step verification was turned off at Acme", func() {
		require.NoError(t, n.M.Disable(ctx, factor.DisableRequest{UserID: "alice", StepUp: n.StepUp(t, "alice")}, n.Now()))
	})
	step("Dutch first method", "bob@example.nl: Er is een inlogmethode toegevoegd bij Acme", func() {
		n.EnrollConfirmed(t, "bob", factor.KindSMS, "+31611112222")
	})
	step("admin reset", "bob@example.nl: Uw tweestapsverificatie is opnieuw ingesteld bij Acme", func() {
		_, err := n.M.Reset(ctx, factor.ResetRequest{UserID: "bob", Actor: "admin", Reason: "lost phone"}, n.Now())
		require.NoError(t, err)
	})

	for i, m := range n.mails.Messages() {
		assert.Equal(t, factor.KindEmail, m.Kind)
		assert.Empty(t, m.Code, "a notice carries no code")
		assert.Equal(t, map[string]string{"alice@example.com": "en", "bob@example.nl": "nl"}[m.To], m.Language)
		n.CheckNoSecrets(t, fmt.Sprintf("mail %d (%s)", i, m.Subject), m.Subject+"\n"+m.Text+"\n"+m.HTML)
		assert.NotContains(t, m.Text+m.HTML, "{{", "mail %d", i)
	}
	for _, s := range list {
		assert.NotContains(t, n.Log.String(), s)
	}
}

// TestNoticeFailuresDoNotBreakTheChange: a lookup that fails, an address
// that is no address, a sender that fails or hangs: the change is stored,
// the Manager's caller gets no error, and the log says why without the
// address.
func TestNoticeFailuresDoNotBreakTheChange(t *testing.T) {
	hang := factor.SenderFunc(func(ctx context.Context, _ factor.Message) error {
		<-ctx.Done()
		return ctx.Err()
	})
	cases := map[string]struct {
		cfg  email.NoticeConfig
		want string
	}{
		"lookup fails": {email.NoticeConfig{Recipients: func(context.Context, string) (email.Recipient, error) {
			return email.Recipient{}, errors.New("directory down")
		}}, "directory down"},
		"no address": {email.NoticeConfig{Recipients: func(context.Context, string) (email.Recipient, error) {
			return email.Recipient{Language: "nl"}, nil
		}}, "no address"},
		"bad address": {email.NoticeConfig{Recipients: func(context.Context, string) (email.Recipient, error) {
			return email.Recipient{Address: "carol@example.com\r\nBcc: eve@example.com"}, nil
		}}, "malformed email address"},
		"sender fails": {email.NoticeConfig{Sender: factor.SenderFunc(func(context.Context, factor.Message) error {
			return errors.New("smtp: 451 try later")
		})}, "451 try later"},
		"sender hangs": {email.NoticeConfig{Sender: hang, Timeout: 50 * time.Millisecond}, "deadline exceeded"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			n := newNoticeEnv(t, c.cfg)
			start := time.Now()
			n.EnrollConfirmed(t, "alice", factor.KindSMS, "+31612345678")
			assert.Less(t, time.Since(start), 5*time.Second)
			st, err := n.M.Status(context.Background(), factor.StatusRequest{UserID: "alice"}, n.Now())
			require.NoError(t, err)
			assert.True(t, st.Enabled, "the change is stored")
			assert.Contains(t, n.Log.String(), "twostep: notice not sent")
			assert.Contains(t, n.Log.String(), c.want)
			assert.NotContains(t, n.Log.String(), "carol@example.com")
			assert.NotContains(t, n.Log.String(), "alice@example.com")
		})
	}
}

// TestNoticesGolden pins every notice in Dutch and English.
func TestNoticesGolden(t *testing.T) {
	store := memstore.New()
	at := time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)
	require.NoError(t, store.CreateEnrollment(context.Background(), &factor.Enrollment{ID: "new", UserID: "alice", Kind: factor.KindSMS, Address: "+31612345678", Confirmed: true, Replaces: "old", CreatedAt: at}))
	require.NoError(t, store.CreateEnrollment(context.Background(), &factor.Enrollment{ID: "app", UserID: "alice", Kind: factor.KindTOTP, Confirmed: true, CreatedAt: at}))
	events := []factor.Event{
		{Type: factor.EventConfirmed, EnrollmentID: "app", Kind: factor.KindTOTP},
		{Type: factor.EventConfirmed, EnrollmentID: "new", Kind: factor.KindSMS},
		{Type: factor.EventRemoved, EnrollmentID: "old", Kind: factor.KindSMS, Reason: "replaced"},
		{Type: factor.EventRemoved, EnrollmentID: "gone", Kind: factor.KindVoice},
		{Type: factor.EventDisabled},
		{Type: factor.EventRecoveryUsed},
		{Type: factor.EventRecoveryGenerated},
		{Type: factor.EventReset, Actor: "admin", Reason: "lost phone"},
		{Type: factor.EventVerified, EnrollmentID: "app", Kind: factor.KindTOTP},
		{Type: factor.EventDevicesRevoked},
	}
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	require.NoError(t, err)
	for _, lang := range []string{"en", "nl"} {
		mails := &factortest.RecordingSender{}
		notices, err := email.NewNotices(email.NoticeConfig{
			AppName: "Acme", Sender: mails, Enrollments: store, Location: amsterdam,
			Recipients: func(context.Context, string) (email.Recipient, error) {
				return email.Recipient{Address: "alice@example.com", Language: lang}, nil
			},
		})
		require.NoError(t, err)
		for _, e := range events {
			e.UserID, e.Time = "alice", at
			notices.Event(context.Background(), e)
		}
		msgs := mails.Messages()
		require.Len(t, msgs, 7, "one mail per change; the replaced number's removal and the others tell nothing")
		var subj, text, html strings.Builder
		for _, m := range msgs {
			fmt.Fprintln(&subj, m.Subject)
			fmt.Fprintf(&text, "=== %s\n%s", m.Subject, m.Text)
			fmt.Fprintf(&html, "<!-- %s -->\n%s\n", m.Subject, m.HTML)
			assert.Equal(t, lang, m.Language)
			assert.True(t, at.Equal(m.SentAt), "sent at the change's time")
			assert.NotContains(t, m.Text+m.HTML, "612345678", "no more of the number than its last two digits")
		}
		messagetest.Golden(t, "notice-subject."+lang, subj.String(), *update)
		messagetest.Golden(t, "notice-text."+lang, text.String(), *update)
		messagetest.Golden(t, "notice-html."+lang, html.String(), *update)
	}
}

func TestNewNoticesRefuses(t *testing.T) {
	ok := email.NoticeConfig{Recipients: lookup, Sender: &factortest.RecordingSender{}, Enrollments: memstore.New()}
	cases := map[string]struct {
		edit  func(c *email.NoticeConfig)
		field string
	}{
		"no lookup":      {func(c *email.NoticeConfig) { c.Recipients = nil }, "Recipients"},
		"no sender":      {func(c *email.NoticeConfig) { c.Sender = nil }, "Sender"},
		"no store":       {func(c *email.NoticeConfig) { c.Enrollments = nil }, "Enrollments"},
		"long timeout":   {func(c *email.NoticeConfig) { c.Timeout = time.Hour }, "Timeout"},
		"bad app name":   {func(c *email.NoticeConfig) { c.AppName = "a\nb" }, "AppName"},
		"missing German": {func(c *email.NoticeConfig) { c.Languages = []string{"de"} }, "Templates"},
		"empty notice": {func(c *email.NoticeConfig) {
			c.Templates = fstest.MapFS{"en/notice-subject.txt": {Data: []byte(`{{if eq .Notice "added"}}Added{{end}}`)}}
		}, "Templates"},
		"broken template": {func(c *email.NoticeConfig) {
			c.Templates = fstest.MapFS{"nl/notice.html": {Data: []byte(`{{.Nope}}`)}}
		}, "Templates"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			c.edit(&cfg)
			_, err := email.NewNotices(cfg)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, c.field, ce.Field)
		})
	}
	_, err := email.NewNotices(ok)
	assert.NoError(t, err)
}
