package main

import (
	"flag"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	hidden = regexp.MustCompile(`(?s)<(script|style|head)\b.*?</(script|style|head)>`)
	tag    = regexp.MustCompile(`<[^>]*>`)
	space  = regexp.MustCompile(`\s+`)
)

// visibleText is what a person reads on a page: its text without markup,
// one line per block.
func visibleText(page string) string {
	page = hidden.ReplaceAllString(page, "")
	page = regexp.MustCompile(`</(p|h1|h2|h3|li|label|button|a|option|legend|th|td)>`).ReplaceAllString(page, "\n")
	var lines []string
	for _, l := range strings.Split(tag.ReplaceAllString(page, " "), "\n") {
		if l = strings.TrimSpace(space.ReplaceAllString(html.UnescapeString(l), " ")); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestDutchWordingGolden keeps the Dutch text of the pages a new user
// meets in golden files (go test -update rewrites them), so that a change
// of wording is a reviewed change; TestOneFormOfAddress in
// internal/message checks the form of address in every text.
func TestDutchWordingGolden(t *testing.T) {
	ta := newTestApp(t, factor.Policy{Required: true, GraceDays: 14})
	ta.addUser(t, "wim@example.com", false)
	c := ta.client(t)
	c.get("/lang/nl?next=/login")
	pages := []struct{ name, path string }{{"login", "/login"}, {"signup", "/signup"}}
	for _, p := range pages {
		_, _, body := c.get(p.path)
		messagetest.Golden(t, "wording-"+p.name+".nl", visibleText(body), *update)
	}
	if loc := c.login("wim@example.com"); loc != "/setup/offer" {
		t.Fatalf("login leads to %s", loc)
	}
	for _, p := range []struct{ name, path string }{{"offer", "/setup/offer"}, {"setup", "/setup"}, {"totp", "/setup/totp"}, {"phone", "/setup/phone?kind=sms"}, {"recovery-none", "/login/recovery"}} {
		_, _, body := c.get(p.path)
		text := visibleText(body)
		if p.name == "totp" { // the key is new every time
			text = regexp.MustCompile(`([A-Z2-7]{4} ){7}[A-Z2-7]{4}`).ReplaceAllString(text, "KEY")
		}
		messagetest.Golden(t, "wording-"+p.name+".nl", text, *update)
	}
}
