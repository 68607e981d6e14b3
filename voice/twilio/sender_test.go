package twilio_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/internal/providertest"
	"github.com/twostep/twostep/voice/twilio"
)

const (
	sid      = "AC0123456789abcdef0123456789abcdef"
	token    = "tok-SECRET-9f8e7d"
	keySID   = "SK0123456789abcdef0123456789abcdef"
	keySec   = "keysecret-SECRET-1a2b"
	from     = "+3197010000000"
	to       = "+31201234567"
	code     = "493817"
	callback = "https://login.example.com/twostep/voice/keypad"
)

func config(srv *providertest.Server) twilio.Config {
	return twilio.Config{AccountSID: sid, AuthToken: token, From: from, CallbackURL: callback, BaseURL: srv.URL}
}

func voiceMsg(lang, text string) factor.Message {
	return factor.Message{Kind: factor.KindVoice, To: to, Code: code, Language: lang, Text: text, ChallengeID: "chal-42"}
}

// node is any TwiML element, parsed back for checking.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) names() []string {
	var s []string
	for _, c := range n.Children {
		s = append(s, c.XMLName.Local)
	}
	return s
}

// sendAndParse sends m and returns the request and its TwiML, parsed.
func sendAndParse(t *testing.T, cfg twilio.Config, srv *providertest.Server, m factor.Message) (providertest.Request, node) {
	t.Helper()
	s, err := twilio.New(cfg)
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), m))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	twiml := reqs[0].Form.Get("Twiml")
	assert.LessOrEqual(t, len(twiml), twilio.MaxTwiML)
	var root node
	require.NoError(t, xml.Unmarshal([]byte(twiml), &root), twiml)
	require.Equal(t, "Response", root.XMLName.Local)
	return reqs[0], root
}

func assertSay(t *testing.T, n node, lang, voice, text string) {
	t.Helper()
	assert.Equal(t, "Say", n.XMLName.Local)
	assert.Equal(t, lang, n.attr("language"))
	assert.Equal(t, voice, n.attr("voice"))
	assert.Equal(t, text, n.Text)
}

func TestSendRequest(t *testing.T) {
	tests := map[string]struct {
		cfg        func(twilio.Config) twilio.Config
		user, pass string
	}{
		"auth token": {cfg: func(c twilio.Config) twilio.Config { return c }, user: sid, pass: token},
		"api key": {cfg: func(c twilio.Config) twilio.Config {
			c.AuthToken, c.APIKeySID, c.APIKeySecret = "", keySID, keySec
			return c
		}, user: keySID, pass: keySec},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated, Body: `{"sid":"CA1"}`})
			r, _ := sendAndParse(t, tt.cfg(config(srv)), srv, voiceMsg("en", "Your code is"))

			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/2010-04-01/Accounts/"+sid+"/Calls.json", r.Path)
			assert.True(t, r.HasBasic)
			assert.Equal(t, tt.user, r.User)
			assert.Equal(t, tt.pass, r.Pass)
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			assert.Equal(t, "application/json", r.Header.Get("Accept"))
			keys := []string{}
			for k, v := range r.Form {
				require.Len(t, v, 1, k)
				keys = append(keys, k)
			}
			assert.ElementsMatch(t, []string{"To", "From", "Twiml", "TimeLimit"}, keys)
			assert.Equal(t, to, r.Form.Get("To"))
			assert.Equal(t, from, r.Form.Get("From"))
			assert.Equal(t, "120", r.Form.Get("TimeLimit"))
		})
	}
}

func TestSpokenTwiML(t *testing.T) {
	tests := map[string]struct {
		lang, text, wantLang, wantVoice string
	}{
		"dutch":              {"nl", "Uw inlogcode is", "nl-NL", "Polly.Lotte"},
		"english":            {"en", "Your login code is", "en-US", "Polly.Joanna"},
		"british":            {"en-GB", "Your login code is", "en-GB", "Polly.Amy"},
		"flemish to dutch":   {"nl-BE", "Uw code is", "nl-NL", "Polly.Lotte"},
		"unknown to en":      {"fr", "Votre code est", "en-US", "Polly.Joanna"},
		"escaped text":       {"en", `Code for "Tom & Jerry" <b>now</b>:`, "en-US", "Polly.Joanna"},
		"no language at all": {"", "Your code is", "en-US", "Polly.Joanna"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated})
			_, root := sendAndParse(t, config(srv), srv, voiceMsg(tt.lang, tt.text))

			// The composed script reads the code, twice; the call says it
			// after a pause for the phone to reach the ear.
			require.Equal(t, []string{"Pause", "Say"}, root.names())
			c := root.Children
			assert.Equal(t, "1", c[0].attr("length"))
			assertSay(t, c[1], tt.wantLang, tt.wantVoice, tt.text)
		})
	}
}

func TestKeypadTwiML(t *testing.T) {
	tests := map[string]struct {
		lang, text, callback, challenge, wantAction, wantLang, wantVoice, bye string
	}{
		"dutch": {
			lang: "nl", text: "Toets de twee cijfers op uw scherm.", callback: callback, challenge: "chal-42",
			wantAction: callback + "?challenge=chal-42&lang=nl", wantLang: "nl-NL", wantVoice: "Polly.Lotte",
			bye: "We hebben geen toetsen ontvangen. Tot ziens.",
		},
		"english, callback with query, odd challenge": {
			lang: "en", text: "Type the two digits on your screen.", callback: callback + "?tenant=a%26b", challenge: "x&y=<z>",
			wantAction: callback + "?challenge=x%26y%3D%3Cz%3E&lang=en&tenant=a%26b", wantLang: "en-US", wantVoice: "Polly.Joanna",
			bye: "We did not receive any input. Goodbye.",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated})
			cfg := config(srv)
			cfg.CallbackURL = tt.callback
			m := voiceMsg(tt.lang, tt.text)
			m.Keypad, m.Code, m.ChallengeID = true, "47", tt.challenge
			_, root := sendAndParse(t, cfg, srv, m)

			require.Equal(t, []string{"Gather", "Say"}, root.names())
			g := root.Children[0]
			assert.Equal(t, "dtmf", g.attr("input"))
			assert.Equal(t, "2", g.attr("numDigits"))
			assert.Equal(t, tt.wantAction, g.attr("action"))
			assert.Equal(t, "POST", g.attr("method"))
			assert.Equal(t, "10", g.attr("timeout"))
			require.Equal(t, []string{"Say"}, g.names())
			assertSay(t, g.Children[0], tt.wantLang, tt.wantVoice, tt.text)
			assertSay(t, root.Children[1], tt.wantLang, tt.wantVoice, tt.bye)
			assert.NotContains(t, strings.Join([]string{g.Children[0].Text, root.Children[1].Text}, " "), "47")
		})
	}
}

func TestConfiguredVoices(t *testing.T) {
	srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated})
	cfg := config(srv)
	cfg.Voices = map[string]twilio.Voice{
		"de": {Language: "de-DE", Name: "Polly.Vicki", Goodbye: "Auf Wiederhören.", Machine: "Der Code wird nur einer Person vorgelesen.",
			Thanks: "Danke.", Wrong: "Falsche Ziffern.", Late: "Zu spät.", Trouble: "Ein Fehler."},
		"NL":    {Language: "nl-NL", Name: "Polly.Laura"},
		"en-AU": {Language: "en-AU"},
	}
	s, err := twilio.New(cfg)
	require.NoError(t, err)
	tests := []struct{ lang, wantLang, wantVoice string }{
		{"de-AT", "de-DE", "Polly.Vicki"},
		{"nl", "nl-NL", "Polly.Laura"},
		{"en-au", "en-AU", ""},
	}
	for i, tt := range tests {
		require.NoError(t, s.Send(context.Background(), voiceMsg(tt.lang, "…")))
		var root node
		require.NoError(t, xml.Unmarshal([]byte(srv.Requests()[i].Form.Get("Twiml")), &root))
		assertSay(t, root.Children[1], tt.wantLang, tt.wantVoice, "…")
	}
}

func TestSendRefusesMessage(t *testing.T) {
	tests := map[string]struct {
		cfg  func(*twilio.Config)
		edit func(*factor.Message)
	}{
		"sms message":         {edit: func(m *factor.Message) { m.Kind = factor.KindSMS }},
		"no text":             {edit: func(m *factor.Message) { m.Text = "" }},
		"code with letters":   {edit: func(m *factor.Message) { m.Code = "49381a" }},
		"no code":             {edit: func(m *factor.Message) { m.Code = "" }},
		"keypad, no callback": {cfg: func(c *twilio.Config) { c.CallbackURL = "" }, edit: func(m *factor.Message) { m.Keypad = true }},
		"keypad, no challenge": {edit: func(m *factor.Message) {
			m.Keypad, m.ChallengeID = true, ""
		}},
		"twiml too long": {edit: func(m *factor.Message) { m.Text = strings.Repeat("a", twilio.MaxTwiML) }},
		"escaping makes twiml too long": {edit: func(m *factor.Message) {
			m.Text = strings.Repeat("&", twilio.MaxTwiML/4)
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, providertest.Reply{Status: http.StatusCreated})
			cfg := config(srv)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			s, err := twilio.New(cfg)
			require.NoError(t, err)
			m := voiceMsg("nl", "Uw code is")
			tt.edit(&m)
			err = s.Send(context.Background(), m)

			require.ErrorIs(t, err, delivery.ErrUnsupported)
			var te *delivery.Error
			require.ErrorAs(t, err, &te)
			assert.False(t, te.Retryable())
			assert.Empty(t, srv.Requests())
			providertest.NoSecrets(t, err, token, code, "49381a", to)
		})
	}
}

func TestSendFailures(t *testing.T) {
	tests := map[string]struct {
		reply     providertest.Reply
		want      error
		code      string
		retryable bool
	}{
		"invalid number": {reply: providertest.Reply{Status: 400, Body: `{"code":21211,"message":"Invalid 'To' Phone Number: +31201234567","status":400}`}, want: delivery.ErrInvalidNumber, code: "21211"},
		"region":         {reply: providertest.Reply{Status: 400, Body: `{"code":21215,"message":"Account not authorized to call +31201234567","status":400}`}, want: delivery.ErrRegionNotPermitted, code: "21215"},
		"unreachable":    {reply: providertest.Reply{Status: 400, Body: `{"code":21214,"message":"'To' phone number +31201234567 cannot be reached","status":400}`}, want: delivery.ErrRegionNotPermitted, code: "21214"},
		"trial account":  {reply: providertest.Reply{Status: 400, Body: `{"code":21219,"message":"'To' phone number +31201234567 not verified","status":400}`}, want: delivery.ErrUnauthorized, code: "21219"},
		"caller id":      {reply: providertest.Reply{Status: 400, Body: `{"code":21210,"message":"'From' phone number +3197010000000 not verified","status":400}`}, want: delivery.ErrSenderInvalid, code: "21210"},
		"bad key":        {reply: providertest.Reply{Status: 401, Body: `{"code":20003,"message":"Authenticate","status":401}`}, want: delivery.ErrUnauthorized, code: "20003"},
		"rate limited":   {reply: providertest.Reply{Status: 429, Body: `{"code":20429,"message":"Too Many Requests","status":429}`, Header: map[string]string{"Retry-After": "2"}}, want: delivery.ErrThrottled, code: "20429", retryable: true},
		"server error":   {reply: providertest.Reply{Status: 502}, want: delivery.ErrUnavailable, retryable: true},
		"timeout":        {reply: providertest.Reply{Hang: true}, want: delivery.ErrUnavailable, retryable: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := providertest.New(t, tt.reply)
			cfg := config(srv)
			cfg.Timeout = 100 * time.Millisecond
			s, err := twilio.New(cfg)
			require.NoError(t, err)
			err = s.Send(context.Background(), voiceMsg("nl", "Uw code is"))

			require.ErrorIs(t, err, tt.want)
			var te *delivery.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.code, te.Code)
			assert.Equal(t, tt.retryable, te.Retryable())
			providertest.NoSecrets(t, err, token, code, "4, 9, 3", to, "Uw code is", from)
		})
	}
}

func TestNewRefusesConfig(t *testing.T) {
	tests := map[string]struct {
		edit  func(*twilio.Config)
		field string
	}{
		"no account":         {func(c *twilio.Config) { c.AccountSID = "" }, "twilio.Config.AccountSID"},
		"no credentials":     {func(c *twilio.Config) { c.AuthToken = "" }, "twilio.Config.AuthToken"},
		"from not e164":      {func(c *twilio.Config) { c.From = "097010000000" }, "twilio.Config.From"},
		"plain http back":    {func(c *twilio.Config) { c.CallbackURL = "http://login.example.com/cb" }, "twilio.Config.CallbackURL"},
		"relative callback":  {func(c *twilio.Config) { c.CallbackURL = "/cb" }, "twilio.Config.CallbackURL"},
		"negative limit":     {func(c *twilio.Config) { c.TimeLimit = -time.Second }, "twilio.Config.TimeLimit"},
		"limit over 4 hours": {func(c *twilio.Config) { c.TimeLimit = 5 * time.Hour }, "twilio.Config.TimeLimit"},
		"voice, no language": {func(c *twilio.Config) { c.Voices = map[string]twilio.Voice{"de": {Name: "Polly.Vicki"}} }, "twilio.Config.Voices[de]"},
		"voice, no phrases":  {func(c *twilio.Config) { c.Voices = map[string]twilio.Voice{"de": {Language: "de-DE"}} }, "twilio.Config.Voices[de]"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := twilio.Config{AccountSID: sid, AuthToken: token, From: from, CallbackURL: callback}
			tt.edit(&cfg)
			_, err := twilio.New(cfg)
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
			providertest.NoSecrets(t, err, token)
		})
	}
}
