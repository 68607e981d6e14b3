package twilio_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/voice/twilio"
)

// The worked example of Twilio's webhook security documentation
// (twilio.com/docs/usage/webhooks/webhooks-security): auth token 12345,
// this URL and these fields are signed GvWf1cFY/Q7PnoempGyD5oXAezc=.
const (
	docToken = "12345"
	docURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
	docSig   = "GvWf1cFY/Q7PnoempGyD5oXAezc="
)

func docForm(caller string) url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {caller},
		"Digits":  {"1234"},
		"From":    {caller},
		"To":      {"+18005551212"},
	}
}

// webhook is a request as it reaches the server behind a proxy: the Host
// and scheme are the proxy's, not what Twilio called.
func webhook(target string, form url.Values, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Host = "10.0.0.5:8080"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		r.Header.Set(twilio.SignatureHeader, sig)
	}
	return r
}

func TestSignPublishedExamples(t *testing.T) {
	// The documented example, and the vector of Twilio's helper libraries'
	// own tests (same URL and token, caller +14158675309).
	assert.Equal(t, docSig, twilio.Sign(docToken, docURL, docForm("+14158675310")))
	assert.Equal(t, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", twilio.Sign(docToken, docURL, docForm("+14158675309")))
}

func TestAuthenticate(t *testing.T) {
	v := &twilio.Validator{AuthToken: docToken, PublicURL: "https://mycompany.com"}
	changed := docForm("+14158675310")
	changed.Set("Digits", "1235")
	added := docForm("+14158675310")
	added.Set("Extra", "1")
	tests := map[string]struct {
		v      *twilio.Validator
		target string
		form   url.Values
		sig    string
		want   error
	}{
		"published example":     {v: v, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: docSig},
		"public url with slash": {v: &twilio.Validator{AuthToken: docToken, PublicURL: "https://mycompany.com/"}, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: docSig},
		"changed query":         {v: v, target: "/myapp.php?foo=1&bar=3", form: docForm("+14158675310"), sig: docSig, want: twilio.ErrBadSignature},
		"changed path":          {v: v, target: "/other.php?foo=1&bar=2", form: docForm("+14158675310"), sig: docSig, want: twilio.ErrBadSignature},
		"changed scheme":        {v: &twilio.Validator{AuthToken: docToken, PublicURL: "http://mycompany.com"}, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: docSig, want: twilio.ErrBadSignature},
		"changed field":         {v: v, target: "/myapp.php?foo=1&bar=2", form: changed, sig: docSig, want: twilio.ErrBadSignature},
		"added field":           {v: v, target: "/myapp.php?foo=1&bar=2", form: added, sig: docSig, want: twilio.ErrBadSignature},
		"missing header":        {v: v, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), want: twilio.ErrBadSignature},
		"malformed header":      {v: v, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: "not base64!", want: twilio.ErrBadSignature},
		"truncated signature":   {v: v, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: "GvWf1cFY", want: twilio.ErrBadSignature},
		"wrong token":           {v: &twilio.Validator{AuthToken: "54321", PublicURL: "https://mycompany.com"}, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: docSig, want: twilio.ErrBadSignature},
		"zero validator":        {v: &twilio.Validator{}, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: docSig, want: factor.ErrInvalidConfig},
		"validator without url": {v: &twilio.Validator{AuthToken: docToken}, target: "/myapp.php?foo=1&bar=2", form: docForm("+14158675310"), sig: docSig, want: factor.ErrInvalidConfig},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := tt.v.Authenticate(webhook(tt.target, tt.form, tt.sig))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.NotContains(t, err.Error(), docToken)
		})
	}
}

func TestAuthenticateLeavesFormForHandler(t *testing.T) {
	v := &twilio.Validator{AuthToken: docToken, PublicURL: "https://mycompany.com"}
	var digits string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := v.Authenticate(r); err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		digits = r.PostFormValue("Digits")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, webhook("/myapp.php?foo=1&bar=2", docForm("+14158675310"), docSig))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "1234", digits)
}

func TestAuthenticateBehindStripPrefix(t *testing.T) {
	// Twilio called https://login.example.com/twostep/voice/keypad?challenge=c1;
	// the host mounts the handler with http.StripPrefix.
	const token = "secret-token"
	form := url.Values{"Digits": {"47"}, "CallSid": {"CA1"}}
	sig := twilio.Sign(token, "https://login.example.com/twostep/voice/keypad?challenge=c1", form)
	v := &twilio.Validator{AuthToken: token, PublicURL: "https://login.example.com"}
	var err error
	h := http.StripPrefix("/twostep", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err = v.Authenticate(r)
	}))
	h.ServeHTTP(httptest.NewRecorder(), webhook("/twostep/voice/keypad?challenge=c1", form, sig))
	require.NoError(t, err)
}
