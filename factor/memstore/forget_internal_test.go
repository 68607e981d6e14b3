package memstore

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/totp"
	"github.com/twostep/twostep/trust"
)

// strs collects every string, every byte slice and every map key held
// anywhere in v, following pointers, slices, maps and struct fields, so
// that a map or field added to the Store later is scanned too.
func strs(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			strs(v.Elem(), out)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
			*out = append(*out, string(v.Bytes()))
			return
		}
		for i := range v.Len() {
			strs(v.Index(i), out)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			strs(it.Key(), out)
			strs(it.Value(), out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			strs(v.Field(i), out)
		}
	}
}

// everything returns every string the store holds.
func (s *Store) everything() string {
	s.lock()
	defer s.unlock()
	var out []string
	strs(reflect.ValueOf(s).Elem(), &out)
	return strings.Join(out, "\n")
}

// TestForgetLeavesNothingInAnyMap fills the store for bob and alice
// through the Manager and the packages built on it, forgets alice, and
// scans every map of the store for alice's ID, the IDs made for her, her
// user handle and her phone number: nothing is left, and bob's records all
// are.
func TestForgetLeavesNothingInAnyMap(t *testing.T) {
	ctx := context.Background()
	s := New()
	app, err := totp.New(totp.Config{Issuer: "Acme"})
	require.NoError(t, err)
	text := fakeSMS{}
	sender := &factortest.RecordingSender{}
	var events []factor.Event
	m, err := factor.NewManager(factor.Config{Store: s, Factors: []factor.Factor{app, text}, Sender: sender,
		Events: factor.EventFunc(func(_ context.Context, e factor.Event) { events = append(events, e) })})
	require.NoError(t, err)
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	fill := func(user, phone string, start time.Time) []string {
		p, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindSMS, Address: phone}, start)
		require.NoError(t, err)
		sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: p.ID}, start)
		require.NoError(t, err)
		msg, _ := sender.Last()
		require.NoError(t, factortest.Err(m.Confirm(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: msg.Code}, start)))
		up, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: p.ID}, start.Add(30*time.Second))
		require.NoError(t, err)
		msg, _ = sender.Last()
		res, err := m.Verify(ctx, factor.Answer{UserID: user, ChallengeID: up.ChallengeID, Code: msg.Code}, start.Add(30*time.Second))
		require.NoError(t, err)
		pending, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindTOTP, StepUp: res.StepUp}, start.Add(30*time.Second))
		require.NoError(t, err)
		open, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: p.ID}, start.Add(time.Minute))
		require.NoError(t, err)
		codes, err := recovery.New(m, recovery.Config{})
		require.NoError(t, err)
		_, err = codes.Generate(ctx, user, start)
		require.NoError(t, err)
		code, err := m.IssueActivationCode(ctx, user, "desk", start)
		require.NoError(t, err)
		require.NoError(t, m.Activate(ctx, user, code, start))
		devices, err := trust.New(m, trust.Config{})
		require.NoError(t, err)
		token, err := devices.Remember(ctx, user, "Firefox", 24*time.Hour, start)
		require.NoError(t, err)
		selector, _, _ := strings.Cut(token, ".")
		_, err = m.Verify(ctx, factor.Answer{UserID: user, ChallengeID: open.ChallengeID, Code: "000000"}, start.Add(time.Minute))
		require.Error(t, err)
		handle := "handle-" + user + "-0123456789"
		require.NoError(t, s.PutHandle(ctx, user, []byte(handle)))
		return []string{user, p.ID, pending.ID, sent.ChallengeID, open.ChallengeID, selector, handle}
	}
	fill("bob-b0b", "0612345678", t0)
	bobCounters := len(s.counters.m)
	bob := s.everything()
	alice := fill("alice-a11ce", "0687654321", t0.Add(time.Hour))
	require.NoError(t, m.Forget(ctx, "alice-a11ce", "admin", t0.Add(2*time.Hour)))

	left := s.everything()
	for _, v := range alice {
		assert.NotContains(t, left, v, "nothing of alice is left")
	}
	assert.Equal(t, bobCounters+2, len(s.counters.m), "bob's counters and the global ones of alice's two minutes")
	for _, line := range strings.Split(left, "\n") {
		if !strings.HasPrefix(line, "global:") {
			assert.Contains(t, bob, line, "what is left was there before alice came")
		}
	}
	st, err := m.Status(ctx, factor.StatusRequest{UserID: "bob-b0b"}, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.True(t, st.Enabled)
	assert.Equal(t, 10, st.RecoveryCodesLeft)
	last := events[len(events)-1]
	assert.Equal(t, fmt.Sprint(factor.EventForgotten, " alice-a11ce admin"), fmt.Sprint(last.Type, " ", last.UserID, " ", last.Actor))
}

// fakeSMS stands in for package sms, a module of its own: a Challenger
// that composes a plain text.
type fakeSMS struct{}

func (fakeSMS) Kind() factor.Kind { return factor.KindSMS }

func (fakeSMS) Compose(_ *factor.Enrollment, _ *factor.Challenge, code, _ string) (factor.Message, error) {
	return factor.Message{Text: "Your code is " + code}, nil
}
