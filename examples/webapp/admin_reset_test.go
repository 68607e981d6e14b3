package main

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
)

// eventLog records twostep's audit events.
type eventLog struct {
	mu  sync.Mutex
	all []factor.Event
}

func (l *eventLog) Event(_ context.Context, e factor.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, e)
}

func (l *eventLog) of(typ factor.EventType) []factor.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []factor.Event
	for _, e := range l.all {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// A reset needs the confirmation page's form with a reason; the reason
// and the admin go into the audit event.
func TestAdminResetNeedsConfirmationAndReason(t *testing.T) {
	events := &eventLog{}
	ta := newTestAppWith(t, factor.Policy{}, func(c *Config) { c.Events = events })
	admin := ta.addUser(t, "admin@example.com", true)
	_, secret := ta.addTOTP(t, admin.ID)
	user := ta.addUser(t, "eva@example.com", false)
	ta.addTOTP(t, user.ID)
	c := ta.client(t)
	require.Equal(t, "/login/2fa", c.login(admin.Email))
	_, _, body := c.get("/login/2fa")
	ta.clock.Add(30 * time.Second)
	_, loc, _ := c.post("/login/2fa", url.Values{"csrf": {c.csrf("/login/2fa")}, "m": {regexpFind(t, body, `name="m" value="([^"]+)"`)}, "code": {totpCode(secret, ta.Now())}})
	require.Equal(t, "/", loc)

	code, _, page := c.get("/admin/reset?user=" + user.ID)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "eva@example.com")
	csrf := c.csrf("/admin")
	for _, form := range []url.Values{
		{"user": {user.ID}, "reason": {"lost phone"}},            // not confirmed
		{"user": {user.ID}, "confirm": {"yes"}},                  // no reason
		{"user": {user.ID}, "confirm": {"yes"}, "reason": {" "}}, // a blank reason
	} {
		form.Set("csrf", csrf)
		code, _, page := c.post("/admin/reset", form)
		assert.Equal(t, http.StatusUnprocessableEntity, code, "%v", form)
		assert.Contains(t, page, `aria-invalid="true"`)
	}
	require.True(t, statusOf(t, ta, user.Email).Enabled, "reset without confirmation and reason")
	assert.Empty(t, events.of(factor.EventReset))

	code, loc, _ = c.post("/admin/reset", url.Values{"csrf": {csrf}, "user": {user.ID}, "confirm": {"yes"}, "reason": {"lost phone, ticket 4711"}})
	require.Equal(t, http.StatusSeeOther, code)
	assert.Equal(t, "/admin", loc)
	assert.False(t, statusOf(t, ta, user.Email).Enabled)
	resets := events.of(factor.EventReset)
	require.Len(t, resets, 1)
	assert.Equal(t, "lost phone, ticket 4711", resets[0].Reason)
	assert.Equal(t, admin.ID, resets[0].Actor)
	assert.Equal(t, user.ID, resets[0].UserID)
}
