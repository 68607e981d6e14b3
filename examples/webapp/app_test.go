package main

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/trust"
)

// loggedIn returns a client past both login steps with an authenticator
// app, and the app's secret.
func loggedIn(t *testing.T, ta *testApp, email string, admin bool) (*client, []byte) {
	u := ta.addUser(t, email, admin)
	id, secret := ta.addTOTP(t, u.ID)
	c := ta.client(t)
	if loc := c.login(email); loc != "/login/2fa" {
		t.Fatalf("login leads to %s", loc)
	}
	ta.clock.Add(30 * time.Second)
	code, loc, body := c.post("/login/2fa", url.Values{"csrf": {c.csrf("/login/2fa")}, "m": {id}, "code": {totpCode(secret, ta.Now())}})
	if code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("second step: %d %s\n%s", code, loc, body)
	}
	return c, secret
}

// postRoutes lists the path of every form the app has: every POST route
// behind the session and CSRF checks, wildcards filled in.
func postRoutes(t *testing.T, ta *testApp) []string {
	t.Helper()
	var out []string
	for _, p := range ta.patterns {
		path, ok := strings.CutPrefix(p, "POST ")
		if !ok {
			continue
		}
		out = append(out, wildcardRE.ReplaceAllString(path, "x"))
	}
	// Forms once forgotten by a hand-written list.
	for _, want := range []string{"/login", "/logout", "/login/2fa/resend", "/settings/verify/send", "/settings/verify/resend", "/dev/outbox/clear"} {
		if !slices.Contains(out, want) {
			t.Fatalf("POST %s is not among the routes %v", want, out)
		}
	}
	return out
}

var wildcardRE = regexp.MustCompile(`\{[^}]*\}`)

// Every form refuses a missing or wrong CSRF token with 403.
func TestCSRF(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, _ := loggedIn(t, ta, "admin@example.com", true)
	forms := postRoutes(t, ta)
	for _, path := range forms {
		for name, form := range map[string]url.Values{
			"missing": {"email": {"x@example.com"}},
			"wrong":   {"csrf": {strings.Repeat("A", 43)}},
			"empty":   {"csrf": {""}},
		} {
			if code, _, _ := c.post(path, form); code != http.StatusForbidden {
				t.Errorf("POST %s with %s token: %d, want 403", path, name, code)
			}
		}
	}
	// Still logged in: the refused logout did nothing.
	if code, _, _ := c.get("/settings"); code != http.StatusOK {
		t.Fatalf("GET /settings after refused forms: %d", code)
	}
	// With the right token the form works.
	if code, loc, _ := c.post("/logout", url.Values{"csrf": {c.csrf("/settings")}}); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("logout with token: %d %s", code, loc)
	}
}

// A token from another session is as wrong as any other.
func TestCSRFTokenIsPerSession(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	ta.addUser(t, "a@example.com", false)
	mallory, victim := ta.client(t), ta.client(t)
	token := mallory.csrf("/login")
	victim.csrf("/login") // the victim has a session of its own
	form := url.Values{"csrf": {token}, "email": {"a@example.com"}, "password": {testPassword}}
	if code, _, _ := victim.post("/login", form); code != http.StatusForbidden {
		t.Fatalf("another session's token: %d, want 403", code)
	}
}

// A cross-site form post is refused even with a token.
func TestCrossOrigin(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c := ta.client(t)
	form := url.Values{"csrf": {c.csrf("/login")}, "email": {"x@example.com"}, "password": {"x"}}
	if code, _, _ := c.post("/login", form, "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
		t.Fatalf("cross-site post: %d, want 403", code)
	}
}

// A tampered, unknown or expired session cookie lands on the login page,
// for a page and for a form alike; a form says the session expired.
func TestTamperedSessionCookie(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, _ := loggedIn(t, ta, "t@example.com", false)
	u, _ := url.Parse(ta.srv.URL)
	good := c.hc.Jar.Cookies(u)[0]
	token := c.csrf("/settings") // the live session's token, even
	for name, value := range map[string]string{
		"flipped": flip(good.Value), "garbage": "%%%<script>", "empty": "", "long": strings.Repeat("x", 4000),
	} {
		fresh := ta.client(t)
		for _, path := range []string{"/", "/settings", "/admin", "/setup", "/login/2fa"} {
			code, loc, body := fresh.get(path, "Cookie", "webapp-session="+value)
			if code != http.StatusSeeOther || loc != "/login" {
				t.Errorf("%s cookie, GET %s: %d %s\n%.200s", name, path, code, loc, body)
			}
		}
		if code, _, body := fresh.get("/login", "Cookie", "webapp-session="+value); code != http.StatusOK || !strings.Contains(body, `id="login-form"`) {
			t.Errorf("%s cookie, GET /login: %d", name, code)
		}
		for _, path := range postRoutes(t, ta) {
			fresh := ta.client(t)
			form := url.Values{"csrf": {token}, "email": {"t@example.com"}, "password": {testPassword}}
			if code, loc, body := fresh.post(path, form, "Cookie", "webapp-session="+value, "Accept-Language", "en"); code != http.StatusSeeOther || loc != "/login" {
				t.Errorf("%s cookie, POST %s: %d %s, want 303 /login\n%.200s", name, path, code, loc, body)
			}
			if code, _, body := fresh.get("/login", "Accept-Language", "en"); code != http.StatusOK || !strings.Contains(body, tr("en", "flash_session_expired")) || !strings.Contains(body, `id="login-form"`) {
				t.Errorf("%s cookie, POST %s: the login page after it (%d) does not say the session expired", name, path, code)
			}
		}
	}
	// A form posted with no session cookie at all leads to the login page too.
	fresh := ta.client(t)
	if code, loc, _ := fresh.post("/login", url.Values{"csrf": {token}}); code != http.StatusSeeOther || loc != "/login" {
		t.Errorf("no cookie, POST /login: %d %s", code, loc)
	}
	// None of it touched the live session.
	if code, _, _ := c.get("/settings"); code != http.StatusOK {
		t.Fatalf("the live session after the tampered posts: GET /settings %d", code)
	}
	ta.clock.Add(idleTimeout + time.Minute)
	if code, loc, _ := c.post("/settings/disable", url.Values{"csrf": {token}}); code != http.StatusSeeOther || loc != "/login" {
		t.Errorf("expired session, POST /settings/disable: %d %s", code, loc)
	}
	if code, loc, _ := c.get("/settings"); code != http.StatusSeeOther || loc != "/login" {
		t.Errorf("expired session, GET /settings: %d %s", code, loc)
	}
	if st := statusOf(t, ta, "t@example.com"); !st.Enabled {
		t.Fatal("a form with an expired session turned two-step verification off")
	}
}

// A tampered remember-this-device cookie means a code is asked, never an
// error; the genuine one skips the code.
func TestTamperedTrustCookie(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "r@example.com", false)
	id, secret := ta.addTOTP(t, u.ID)
	c := ta.client(t)
	c.login(u.Email)
	ta.clock.Add(30 * time.Second)
	form := url.Values{"csrf": {c.csrf("/login/2fa")}, "m": {id}, "code": {totpCode(secret, ta.Now())}, "remember": {"12h0m0s"}}
	req, _ := http.NewRequest(http.MethodPost, ta.srv.URL+"/login/2fa", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var token string
	for _, ck := range resp.Cookies() {
		if ck.Name == trust.DefaultCookieName {
			token = ck.Value
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge != 12*3600 {
				t.Errorf("device cookie %+v", ck)
			}
		}
	}
	if token == "" {
		t.Fatal("no device cookie after remember")
	}
	for name, value := range map[string]string{"flipped": flip(token), "garbage": "nonsense", "other": strings.Repeat("A", len(token))} {
		fresh := ta.client(t)
		loc := loginWith(t, fresh, u.Email, trust.DefaultCookieName+"="+value)
		if loc != "/login/2fa" {
			t.Errorf("%s device cookie: login leads to %s", name, loc)
		}
		if code, _, _ := fresh.get(loc); code != http.StatusOK {
			t.Errorf("%s device cookie: %s answers %d", name, loc, code)
		}
	}
	if loc := loginWith(t, ta.client(t), u.Email, trust.DefaultCookieName+"="+token); loc != "/" {
		t.Errorf("genuine device cookie: login leads to %s", loc)
	}
}

// loginWith logs in with the password, sending an extra cookie.
func loginWith(t *testing.T, c *client, email, cookie string) string {
	t.Helper()
	form := url.Values{"csrf": {c.csrf("/login")}, "email": {email}, "password": {testPassword}}
	code, loc, body := c.post("/login", form, "Cookie", cookie)
	if code != http.StatusSeeOther {
		t.Fatalf("login: %d\n%s", code, body)
	}
	return loc
}

func flip(s string) string {
	if s == "" {
		return "x"
	}
	b := []byte(s)
	if b[len(b)-1] == 'A' {
		b[len(b)-1] = 'B'
	} else {
		b[len(b)-1] = 'A'
	}
	return string(b)
}

// The session ID changes after the password and again after the second
// step, and the old IDs are dead.
func TestSessionRotation(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	u := ta.addUser(t, "s@example.com", false)
	id, secret := ta.addTOTP(t, u.ID)
	c := ta.client(t)
	c.get("/login")
	anon := sessionID(t, c, ta)
	c.login(u.Email)
	half := sessionID(t, c, ta)
	ta.clock.Add(30 * time.Second)
	c.post("/login/2fa", url.Values{"csrf": {c.csrf("/login/2fa")}, "m": {id}, "code": {totpCode(secret, ta.Now())}})
	full := sessionID(t, c, ta)
	if anon == half || half == full || anon == full {
		t.Fatalf("session IDs %s, %s, %s: want three different", anon, half, full)
	}
	if _, ok := ta.sessions.get(half); ok {
		t.Errorf("old session %s still alive", half)
	}
	// An anonymous ID is never stored: planted before the login, it still
	// names nobody.
	if sess, _ := ta.sessions.get(anon); sess.UserID != "" || sess.Level != levelNone {
		t.Errorf("the anonymous ID %s now names user %q at level %d", anon, sess.UserID, sess.Level)
	}
	if code, _, _ := c.get("/settings"); code != http.StatusOK {
		t.Fatalf("settings: %d", code)
	}
}

func sessionID(t *testing.T, c *client, ta *testApp) string {
	u, _ := url.Parse(ta.srv.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "webapp-session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// On HTTPS the session cookie is a Secure __Host- cookie; always HttpOnly
// and SameSite=Lax.
func TestSessionCookieFlags(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	tls := httptest.NewTLSServer(ta.App)
	defer tls.Close()
	for _, tc := range []struct {
		url, name string
		secure    bool
		client    *http.Client
	}{{ta.srv.URL, "webapp-session", false, http.DefaultClient}, {tls.URL, "__Host-webapp-session", true, tls.Client()}} {
		resp, err := tc.client.Get(tc.url + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cks := resp.Cookies()
		if len(cks) != 1 || cks[0].Name != tc.name || cks[0].Secure != tc.secure || !cks[0].HttpOnly || cks[0].SameSite != http.SameSiteLaxMode || cks[0].Path != "/" {
			t.Errorf("%s: cookies %+v", tc.url, cks)
		}
	}
}

// The language comes from the switch cookie, else Accept-Language, else
// Dutch; every page says which it is.
func TestLanguage(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c := ta.client(t)
	for _, tc := range []struct{ accept, cookie, want string }{
		{"", "", "Inloggen"}, {"en-GB,en;q=0.9", "", "Log in"}, {"nl-BE", "", "Inloggen"},
		{"de-DE", "", "Inloggen"}, {"en-US", "webapp-lang=nl", "Inloggen"}, {"nl", "webapp-lang=en", "Log in"},
	} {
		hdr := []string{"Accept-Language", tc.accept}
		if tc.cookie != "" {
			hdr = append(hdr, "Cookie", tc.cookie)
		}
		_, _, body := c.get("/login", hdr...)
		if !strings.Contains(body, "<h1>"+tc.want+"</h1>") {
			t.Errorf("Accept-Language %q, cookie %q: want %q", tc.accept, tc.cookie, tc.want)
		}
	}
	if code, loc, _ := c.get("/lang/en?next=//evil.example/x"); code != http.StatusSeeOther || loc != "/" {
		t.Errorf("language switch to another site: %d %s", code, loc)
	}
}

// Both languages have the same texts, and every key a template uses exists.
func TestTexts(t *testing.T) {
	for key := range texts["nl"] {
		if _, ok := texts["en"][key]; !ok {
			t.Errorf("%q has no English text", key)
		}
	}
	for key := range texts["en"] {
		if _, ok := texts["nl"][key]; !ok {
			t.Errorf("%q has no Dutch text", key)
		}
	}
	for _, key := range templateKeys(t) {
		if _, ok := texts["en"][key]; !ok {
			t.Errorf("templates use %q, which has no text", key)
		}
	}
}

// The password rules of seed 004.
func TestPasswordRules(t *testing.T) {
	for pw, want := range map[string]string{
		"Correct-Horse-42!": "", "short-1A!": "pw_len", "no-digits-Here!": "pw_digit", "NO-LOWER-CASE-42": "pw_lower",
		"no-upper-case-42": "pw_upper", "NoSpecialChars42": "pw_special", strings.Repeat("Aa1!", 19): "pw_max",
	} {
		got := strings.Join(passwordProblems(pw), ",")
		if got != want {
			t.Errorf("%q: problems %q, want %q", pw, got, want)
		}
	}
}

// The recovery codes page offers the codes as a text file, once.
func TestRecoveryDownload(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	c, _ := loggedIn(t, ta, "dl@example.com", false)
	code, loc, _ := c.post("/setup/finish", url.Values{"csrf": {c.csrf("/")}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/setup/recovery") {
		t.Fatalf("finish: %d %s", code, loc)
	}
	_, _, body := c.get("/setup/recovery.txt")
	if n := strings.Count(body, "-"); n < 30 {
		t.Fatalf("download has %d dashes:\n%s", n, body)
	}
	if first, _, _ := strings.Cut(body, "\n"); !strings.Contains(first, "Twostep Test") || !strings.Contains(first, "dl@example.com") {
		t.Fatalf("the printout does not name the site and the account: %q", first)
	}
	u, _ := ta.users.byEmail(context.Background(), "dl@example.com")
	left, _ := ta.codes.Remaining(context.Background(), u.ID)
	if left != 10 {
		t.Fatalf("%d codes stored", left)
	}
	c.post("/setup/recovery", url.Values{"csrf": {c.csrf("/setup/recovery")}, "next": {"/"}})
	if code, loc, _ := c.get("/setup/recovery.txt"); code != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("download after the codes were saved: %d %s", code, loc)
	}
}

var templateKeyRE = regexp.MustCompile(`\.T\.([a-zA-Z0-9_]+)`)

// templateKeys lists the text keys the templates use as .T.key.
func templateKeys(t *testing.T) []string {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, n := range names {
		b, _ := fs.ReadFile(templateFS, n)
		for _, m := range templateKeyRE.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys in the templates", len(keys))
	}
	return keys
}

// Sign-up refuses weak passwords with the broken rules marked.
func TestSignup(t *testing.T) {
	ta := newTestApp(t, factor.Policy{})
	ta.addUser(t, "taken@example.com", false)
	c := ta.client(t)
	form := func(email, pw string) url.Values {
		return url.Values{"csrf": {c.csrf("/signup")}, "name": {"N"}, "email": {email}, "password": {pw}, "password2": {pw}}
	}
	code, _, body := c.post("/signup", form("new@example.com", "short"), "Accept-Language", "en")
	if code != http.StatusBadRequest || !strings.Contains(body, tr("en", "err_pw_rules")) || strings.Count(body, `class="bad"`) != 4 {
		t.Fatalf("weak password: %d\n%s", code, body)
	}
	// A taken address and a new one: see TestSignupDoesNotRevealAccounts.
}
