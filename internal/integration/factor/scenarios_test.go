package factor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/phone"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/trust"
)

var day = 24 * time.Hour

// Seed 000: enrolment only with an activation code valid 21 days; SMS,
// voice and TOTP; at login the user chooses one of their methods.
func TestScenarioCAK(t *testing.T) {
	p := newPlatform(t, factor.Policy{Required: true, RequireActivation: true}, time.Date(2026, 1, 14, 9, 0, 0, 0, time.UTC), factor.DeliveredCodes{})
	st := p.status("kees")
	assert.True(t, st.Required)
	assert.True(t, st.NeedsActivation)
	assert.False(t, st.Enabled, "2FA not set up yet: the host sends the user to the setup portal")

	err := p.m.Activate(p.ctx, "kees", "AAAA-BBBB-CCCC", p.now())
	assert.ErrorIs(t, err, factor.ErrNoActivationCode, "no activation code yet")
	_, err = p.m.Enroll(p.ctx, factor.EnrollRequest{UserID: "kees", Kind: factor.KindSMS, Address: "06-12345678"}, p.now())
	assert.ErrorIs(t, err, factor.ErrActivationRequired)

	code, err := p.m.IssueActivationCode(p.ctx, "kees", "servicedesk", p.now())
	require.NoError(t, err)
	p.secrets.add(code)
	p.clock.Advance(21 * day)
	assert.ErrorIs(t, p.m.Activate(p.ctx, "kees", code, p.now()), factor.ErrActivationExpired, "21 days later")

	code, err = p.m.IssueActivationCode(p.ctx, "kees", "servicedesk", p.now())
	require.NoError(t, err)
	p.secrets.add(code)
	p.clock.Advance(21*day - time.Second)
	require.NoError(t, p.m.Activate(p.ctx, "kees", code, p.now()), "valid for 21 days")
	assert.ErrorIs(t, p.m.Activate(p.ctx, "kees", code, p.now()), factor.ErrActivationUsed, "one-time")
	assert.Equal(t, "Deze activatiecode is al gebruikt. Vraag een nieuwe aan bij de servicedesk.", factor.UserMessage(factor.ErrActivationUsed, "nl"))

	smsID := p.enrolAddress("kees", factor.KindSMS, "06-12345678", "")
	totpID, secret := p.enrolTOTP("kees")
	st = p.status("kees")
	require.Len(t, st.Offer, 2)
	assert.Equal(t, []factor.Kind{factor.KindSMS, factor.KindTOTP}, []factor.Kind{st.Offer[0].Kind, st.Offer[1].Kind}, "the first method set up is the primary, offered first")
	assert.Equal(t, "+31 6 •••• 5678", st.Offer[0].Masked)
	require.NoError(t, p.m.SetPrimary(p.ctx, "kees", totpID, p.now()))
	st = p.status("kees")
	assert.Equal(t, []factor.Kind{factor.KindTOTP, factor.KindSMS}, []factor.Kind{st.Offer[0].Kind, st.Offer[1].Kind}, "the user's choice of primary")
	assert.Equal(t, []bool{true, false}, []bool{st.Offer[0].Primary, st.Offer[1].Primary}, "one primary")

	p.clock.Advance(time.Hour)
	require.NoError(t, p.loginWithCode("kees", smsID), "log in choosing SMS")
	p.clock.Advance(time.Hour)
	require.NoError(t, factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: "kees", EnrollmentID: totpID, Code: p.totpCode(secret, 0)}, p.now())), "or the app")
	p.sawEvents(factor.EventActivationIssued, factor.EventFailed, factor.EventActivationIssued, factor.EventActivationUsed,
		factor.EventEnrolled, factor.EventChallengeSent, factor.EventConfirmed, factor.EventEnabled, factor.EventEnrolled, factor.EventConfirmed,
		factor.EventChallengeSent, factor.EventVerified, factor.EventVerified)
	issued := lastOf(p.events, factor.EventActivationIssued)
	assert.Equal(t, "kees", issued.UserID)
	assert.Equal(t, "servicedesk", issued.Actor, "who issued it")
	enabled := lastOf(p.events, factor.EventEnabled)
	assert.Equal(t, smsID, enabled.EnrollmentID, "turned on by the first confirmed method")
	assert.Equal(t, factor.KindSMS, enabled.Kind)
	verified := lastOf(p.events, factor.EventVerified)
	assert.Equal(t, factor.Event{Type: factor.EventVerified, UserID: "kees", EnrollmentID: totpID, Kind: factor.KindTOTP, Time: p.now(), Actor: "kees"}, verified)

	p.clock.Advance(time.Minute)
	wrong := p.totpCode(secret, 0)
	wrong = string('0'+(wrong[0]-'0'+1)%10) + wrong[1:]
	assert.ErrorIs(t, factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: "kees", EnrollmentID: totpID, Code: wrong}, p.now())), factor.ErrInvalidCode)
	assert.Equal(t, factor.Event{Type: factor.EventFailed, UserID: "kees", EnrollmentID: totpID, Kind: factor.KindTOTP, Time: p.now(), Actor: "kees"},
		lastOf(p.events, factor.EventFailed), "the failure names the method")
	sent, err := p.m.Challenge(p.ctx, factor.ChallengeRequest{UserID: "kees", EnrollmentID: smsID}, p.now())
	require.NoError(t, err)
	wrong = p.lastCode()
	wrong = string('0'+(wrong[0]-'0'+1)%10) + wrong[1:]
	assert.ErrorIs(t, factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: "kees", ChallengeID: sent.ChallengeID, Code: wrong}, p.now())), factor.ErrInvalidCode)
	assert.Equal(t, factor.Event{Type: factor.EventFailed, UserID: "kees", EnrollmentID: smsID, Kind: factor.KindSMS, Time: p.now(), Actor: "kees"},
		lastOf(p.events, factor.EventFailed))
}

// Seed 001: landlines for voice, a primary and alternate numbers, and a
// grace period counting down before 2FA becomes mandatory.
func TestScenarioCaresharing(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	// Ria first logs in five days after the date: her grace starts then.
	p := newPlatform(t, factor.Policy{RequiredFrom: start, GraceDays: 3}, start.Add(5*day), factor.DeliveredCodes{})
	for _, left := range []int{3, 2, 1} {
		st := p.status("ria")
		assert.Equal(t, left, st.GraceDaysLeft)
		assert.True(t, st.CanSkip)
		require.NoError(t, p.m.Skip(p.ctx, "ria", p.now()))
		p.clock.Advance(day)
	}
	st := p.status("ria")
	assert.Equal(t, 0, st.GraceDaysLeft)
	assert.False(t, st.CanSkip, "then mandatory")
	err := p.m.Skip(p.ctx, "ria", p.now())
	assert.ErrorIs(t, err, factor.ErrRequired)
	assert.ErrorIs(t, err, factor.ErrNotAllowed)
	assert.Equal(t, "Tweestapsverificatie is verplicht: u kunt het niet meer overslaan of uitzetten.", factor.UserMessage(err, "nl"))

	_, err = p.m.Enroll(p.ctx, factor.EnrollRequest{UserID: "ria", Kind: factor.KindSMS, Address: "020-1234567"}, p.now())
	assert.ErrorIs(t, err, phone.ErrNotMobile, "no texts to a landline")
	landline := p.enrolAddress("ria", factor.KindVoice, "020-1234567", "")
	first := p.enrolAddress("ria", factor.KindSMS, "06-12345678", "")
	p.clock.Advance(time.Minute)
	second := p.enrolAddress("ria", factor.KindSMS, "06-87654321", "")
	st = p.status("ria")
	assert.True(t, st.Enabled)
	assert.Equal(t, first, findMethod(st.Offer, factor.KindSMS).ID, "the first number is primary")

	require.NoError(t, p.m.SetPrimary(p.ctx, "ria", second, p.now()))
	st = p.status("ria")
	assert.Equal(t, second, findMethod(st.Offer, factor.KindSMS).ID, "primary first")
	p.clock.Advance(time.Hour)
	require.NoError(t, p.loginWithCode("ria", landline), "a call to the landline")
	p.sawEvents(factor.EventEnrolled, factor.EventConfirmed, factor.EventPrimaryChanged, factor.EventVerified)
}

// Seed 002: optional from 1 April, mandatory from 1 July; current and
// previous TOTP code; recovery codes shown once; remember me for 12 hours.
func TestScenarioEHealth(t *testing.T) {
	p := newPlatform(t, factor.Policy{RequiredFrom: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}, time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), factor.DeliveredCodes{})
	st := p.status("eva")
	assert.False(t, st.Required)
	assert.True(t, st.CanSkip, "optional before 1 July")

	id, secret := p.enrolTOTP("eva")
	codes, err := recovery.New(p.m, recovery.Config{Count: 6, Groups: 3})
	require.NoError(t, err)
	list, err := codes.Generate(p.ctx, "eva", p.now())
	require.NoError(t, err)
	require.Len(t, list, 6)
	assert.Regexp(t, `^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`, list[0])
	p.secrets.add(list...)
	assert.Equal(t, 6, p.status("eva").RecoveryCodesLeft, "the page shows a count, never the codes again")

	p.clock.Set(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	assert.True(t, p.status("eva").Required, "mandatory from 1 July")
	prev := p.totpCode(secret, -1)
	next := p.totpCode(secret, 1)
	assert.ErrorIs(t, factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: "eva", EnrollmentID: id, Code: next}, p.now())), factor.ErrInvalidCode, "no future code")
	require.NoError(t, factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: "eva", EnrollmentID: id, Code: prev}, p.now())), "the previous code stays valid")

	devices, err := trust.New(p.m, trust.Config{})
	require.NoError(t, err)
	token, err := devices.Remember(p.ctx, "eva", "Firefox", 12*time.Hour, p.now())
	require.NoError(t, err)
	p.secrets.add(token)
	p.clock.Advance(12*time.Hour - time.Second)
	st, err = p.m.Status(p.ctx, factor.StatusRequest{UserID: "eva", DeviceToken: token, Devices: devices}, p.now())
	require.NoError(t, err)
	assert.True(t, st.DeviceTrusted)
	p.clock.Advance(time.Second)
	st, err = p.m.Status(p.ctx, factor.StatusRequest{UserID: "eva", DeviceToken: token, Devices: devices}, p.now())
	require.NoError(t, err)
	assert.False(t, st.DeviceTrusted, "12 hours later")

	res, err := codes.Redeem(p.ctx, "eva", list[3], p.now())
	require.NoError(t, err)
	assert.Equal(t, 5, res.Remaining)
	_, err = codes.Redeem(p.ctx, "eva", list[3], p.now())
	assert.ErrorIs(t, err, factor.ErrInvalidCode, "each code once")
	p.sawEvents(factor.EventConfirmed, factor.EventRecoveryGenerated, factor.EventVerified, factor.EventDeviceTrusted, factor.EventRecoveryUsed)
}

// Seed 003: TOTP with the key as text; disabling needs a valid code; the
// employer resets 2FA for a lost phone, and the user enrols again.
func TestScenarioLoket(t *testing.T) {
	p := newPlatform(t, factor.Policy{}, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), factor.DeliveredCodes{})
	e, err := p.m.Enroll(p.ctx, factor.EnrollRequest{UserID: "wim", Kind: factor.KindTOTP}, p.now())
	require.NoError(t, err)
	key, err := p.app.Key(e.Secret, "wim")
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Z2-7]{4}( [A-Z2-7]{4})+$`, key.Text(), "the key as text to copy")
	p.secrets.add(key.Text())
	require.NoError(t, factortest.Err(p.m.Confirm(p.ctx, factor.Answer{UserID: "wim", EnrollmentID: e.ID, Code: p.totpCode(e.Secret, 0)}, p.now())))

	p.clock.Advance(time.Hour)
	assert.ErrorIs(t, p.m.Disable(p.ctx, factor.DisableRequest{UserID: "wim"}, p.now()), factor.ErrStepUpRequired, "disable needs a valid code")
	require.NoError(t, factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: "wim", EnrollmentID: e.ID, Code: p.totpCode(e.Secret, 0)}, p.now())))
	require.NoError(t, p.m.Disable(p.ctx, factor.DisableRequest{UserID: "wim"}, p.now()))
	assert.False(t, p.status("wim").Enabled)

	p.enrolTOTP("wim")
	codes, err := recovery.New(p.m, recovery.Config{})
	require.NoError(t, err)
	list, err := codes.Generate(p.ctx, "wim", p.now())
	require.NoError(t, err)
	p.secrets.add(list...)
	devices, err := trust.New(p.m, trust.Config{})
	require.NoError(t, err)
	token, err := devices.Remember(p.ctx, "wim", "Firefox", 7*day, p.now())
	require.NoError(t, err)
	p.secrets.add(token)
	sum, err := p.m.Overview(p.ctx, []string{"wim", "nobody"})
	require.NoError(t, err)
	assert.True(t, sum[0].Active, "2FA active: yes")
	assert.False(t, sum[1].Active)
	_, err = p.m.Reset(p.ctx, factor.ResetRequest{UserID: "wim", Actor: "employer", Reason: "lost phone"}, p.now())
	require.NoError(t, err)
	sum, err = p.m.Overview(p.ctx, []string{"wim"})
	require.NoError(t, err)
	assert.False(t, sum[0].Active)
	st, err := p.m.Status(p.ctx, factor.StatusRequest{UserID: "wim", DeviceToken: token, Devices: devices}, p.now())
	require.NoError(t, err)
	assert.False(t, st.DeviceTrusted, "the reset signs out remembered devices")
	assert.Zero(t, st.RecoveryCodesLeft, "and removes the recovery codes")
	_, err = codes.Redeem(p.ctx, "wim", list[0], p.now())
	assert.ErrorIs(t, err, factor.ErrInvalidCode)
	reset := lastOf(p.events, factor.EventReset)
	assert.Equal(t, "employer", reset.Actor)
	assert.Equal(t, "lost phone", reset.Reason)
	p.enrolTOTP("wim")
	assert.True(t, p.status("wim").Enabled, "enrolled again")
	p.sawEvents(factor.EventConfirmed, factor.EventVerified, factor.EventDisabled, factor.EventConfirmed, factor.EventReset, factor.EventConfirmed)
	assert.Equal(t, "employer", lastOf(p.events, factor.EventReset).Actor)
}

// Seed 004: email codes as the fallback until SMS is set up; a changed
// phone number is confirmed by a code before the old one goes.
func TestScenarioCaren(t *testing.T) {
	p := newPlatform(t, factor.Policy{Required: true}, time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC), factor.DeliveredCodes{})
	mail := p.enrolAddress("cor", factor.KindEmail, "cor@example.com", "")
	p.clock.Advance(time.Hour)
	require.NoError(t, p.loginWithCode("cor", mail), "email while nothing else is set up")

	old := p.enrolAddress("cor", factor.KindSMS, "06-12345678", "")
	_, err := p.m.Challenge(p.ctx, factor.ChallengeRequest{UserID: "cor", EnrollmentID: mail}, p.now())
	assert.ErrorIs(t, err, factor.ErrEmailFallback, "email is only a fallback")
	assert.ErrorIs(t, err, factor.ErrNotAllowed)
	assert.Equal(t, "Email codes are only available while you have no other method. Please use your app, SMS or voice call.", factor.UserMessage(err, "en"))
	st := p.status("cor")
	assert.Empty(t, findMethod(st.Offer, factor.KindEmail).ID, "no longer offered at login")
	assert.NotContains(t, st.Kinds, factor.KindEmail, "nor to enrol")

	p.clock.Advance(time.Hour)
	_, err = p.m.Enroll(p.ctx, factor.EnrollRequest{UserID: "cor", Kind: factor.KindSMS, Address: "06-87654321", Replaces: old}, p.now())
	assert.ErrorIs(t, err, factor.ErrStepUpRequired, "changing the number needs a fresh code first")
	require.NoError(t, p.loginWithCode("cor", old), "the fresh code, from the old number")
	e, err := p.m.Enroll(p.ctx, factor.EnrollRequest{UserID: "cor", Kind: factor.KindSMS, Address: "06-87654321", Replaces: old}, p.now())
	require.NoError(t, err)
	p.clock.Advance(time.Minute)
	require.NoError(t, p.loginWithCode("cor", old), "the old number works until the new one is confirmed")
	sent, err := p.m.Challenge(p.ctx, factor.ChallengeRequest{UserID: "cor", EnrollmentID: e.ID}, p.now())
	require.NoError(t, err)
	require.NoError(t, factortest.Err(p.m.Confirm(p.ctx, factor.Answer{UserID: "cor", ChallengeID: sent.ChallengeID, Code: p.lastCode()}, p.now())))
	st = p.status("cor")
	sms := findMethod(st.Offer, factor.KindSMS)
	assert.Equal(t, e.ID, sms.ID)
	assert.True(t, sms.Primary, "the new number takes over as primary")
	for _, md := range st.Enrollments {
		assert.NotEqual(t, old, md.ID, "the old number is gone")
	}
	p.sawEvents(factor.EventConfirmed, factor.EventEnabled, factor.EventVerified, factor.EventConfirmed, factor.EventVerified,
		factor.EventEnrolled, factor.EventVerified, factor.EventRemoved, factor.EventConfirmed)
	removed := lastOf(p.events, factor.EventRemoved)
	assert.Equal(t, factor.Event{Type: factor.EventRemoved, UserID: "cor", EnrollmentID: old, Kind: factor.KindSMS, Time: p.now(), Actor: "cor", Reason: "replaced"}, removed)
}

func TestLastMethodWhileRequired(t *testing.T) {
	p := newPlatform(t, factor.Policy{Required: true, RequireActivation: true}, time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), factor.DeliveredCodes{})
	code, err := p.m.IssueActivationCode(p.ctx, "lia", "admin", p.now())
	require.NoError(t, err)
	require.NoError(t, p.m.Activate(p.ctx, "lia", code, p.now()))
	id, secret := p.enrolTOTP("lia")
	assert.ErrorIs(t, p.m.Remove(p.ctx, factor.RemoveRequest{UserID: "lia", EnrollmentID: id}, p.now()), factor.ErrStepUpRequired, "confirming a method is no second step")
	p.clock.Advance(time.Minute)
	require.NoError(t, factortest.Err(p.m.Verify(p.ctx, factor.Answer{UserID: "lia", EnrollmentID: id, Code: p.totpCode(secret, 0)}, p.now())))
	assert.ErrorIs(t, p.m.Remove(p.ctx, factor.RemoveRequest{UserID: "lia", EnrollmentID: id}, p.now()), factor.ErrLastEnrollment)
	assert.Equal(t, "U kunt uw laatste methode niet verwijderen zolang tweestapsverificatie verplicht is.", factor.UserMessage(factor.ErrLastEnrollment, "nl-NL,nl;q=0.9"))

	fresh, err := p.m.Reset(p.ctx, factor.ResetRequest{UserID: "lia", Actor: "admin", Reason: "lost phone", IssueActivationCode: true}, p.now())
	require.NoError(t, err)
	p.secrets.add(fresh)
	st := p.status("lia")
	assert.False(t, st.Enabled, "login asks for enrolment")
	assert.True(t, st.NeedsActivation, "and for an activation code")
	require.NoError(t, p.m.Activate(p.ctx, "lia", fresh, p.now()))
	assert.False(t, p.status("lia").NeedsActivation)
}

func TestUserMessagesInBothLanguages(t *testing.T) {
	for _, err := range factor.UserErrors() {
		nl, en := factor.UserMessage(err, "nl"), factor.UserMessage(err, "en")
		assert.NotEmpty(t, nl, "%v", err)
		assert.NotEmpty(t, en, "%v", err)
		assert.NotEqual(t, nl, en, "%v has no Dutch text", err)
	}
}

func findMethod(ms []factor.EnrollmentInfo, k factor.Kind) factor.EnrollmentInfo {
	for _, m := range ms {
		if m.Kind == k {
			return m
		}
	}
	return factor.EnrollmentInfo{}
}

func lastOf(l *eventLog, typ factor.EventType) factor.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.events) - 1; i >= 0; i-- {
		if l.events[i].Type == typ {
			return l.events[i]
		}
	}
	return factor.Event{}
}
