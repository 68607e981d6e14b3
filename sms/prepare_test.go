package sms_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/phone"
	"github.com/twostep/twostep/internal/message/messagetest"
	"github.com/twostep/twostep/sms"
)

func newFactor(t *testing.T, cfg sms.Config) *sms.Factor {
	t.Helper()
	f, err := sms.New(cfg)
	require.NoError(t, err)
	return f
}

func TestPrepareNormalises(t *testing.T) {
	f := newFactor(t, sms.Config{})
	for _, in := range []string{"06-12345678", "0612345678", "06 1234 5678", "(06) 12 34 56 78", "+31 6 12345678", "+31 (0)6 12345678", "0031 6 1234 5678", " 06.12.34.56.78 "} {
		t.Run(in, func(t *testing.T) {
			e := factor.Enrollment{Address: in}
			require.NoError(t, f.Prepare(&e))
			assert.Equal(t, "+31612345678", e.Address)
			assert.Equal(t, "+31 6 •••• 5678", e.Label, "an empty label becomes the masked number")
		})
	}
	e := factor.Enrollment{Address: "06-12345678", Label: "Werk"}
	require.NoError(t, f.Prepare(&e))
	assert.Equal(t, "Werk", e.Label, "a chosen label stays")
}

func TestPrepareRefuses(t *testing.T) {
	f := newFactor(t, sms.Config{})
	tests := []struct {
		name, in string
		want     error
	}{
		{"landline", "020-1234567", phone.ErrNotMobile},
		{"premium rate", "0900-1234567", phone.ErrPremiumRate},
		{"toll free", "0800-1234567", phone.ErrTollFree},
		{"machine to machine", "0970 12345678", phone.ErrMachineToMachine},
		{"shared cost", "0840-123456", phone.ErrSharedCost},
		{"extension", "06-12345678 ext. 123", phone.ErrExtension},
		{"Belgian mobile by default", "+32 470 12 34 56", phone.ErrRegionNotAllowed},
		{"empty", "", phone.ErrEmpty},
		{"garbage", "call me maybe", phone.ErrInvalid},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := factor.Enrollment{Address: tt.in}
			err := f.Prepare(&e)
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, factor.ErrMalformed)
			assert.NotContains(t, err.Error(), "12345678", "errors never hold the full number")
			assert.NotContains(t, err.Error(), "1234567 ")
			assert.False(t, seen[err.Error()], "every refusal reads differently: %s", err)
			seen[err.Error()] = true
			assert.Equal(t, tt.in, e.Address, "a refused enrollment is not changed")
		})
	}
}

func TestPrepareBelgium(t *testing.T) {
	f := newFactor(t, sms.Config{Phones: phone.Parser{AllowedRegions: []string{"NL", "BE"}}})
	e := factor.Enrollment{Address: "+32 470 12 34 56"}
	require.NoError(t, f.Prepare(&e))
	assert.Equal(t, "+32470123456", e.Address)
	e = factor.Enrollment{Address: "06-12345678"}
	require.NoError(t, f.Prepare(&e), "the default region still reads national numbers")
	assert.Equal(t, "+31612345678", e.Address)
}

// TestEnrollRefusesThroughManager proves the wiring: a refused number
// reaches the host as the phone package's error and nothing is stored.
func TestEnrollRefusesThroughManager(t *testing.T) {
	env := messagetest.NewEnv(t, factor.Config{Factors: []factor.Factor{newFactor(t, sms.Config{})}})
	env.Secret("0900-1234567", "+319001234567")
	_, err := env.M.Enroll(context.Background(), factor.EnrollRequest{UserID: "alice", Kind: factor.KindSMS, Address: "0900-1234567"}, env.Now())
	require.ErrorIs(t, err, phone.ErrPremiumRate)
	list, err := env.M.Enrollments(context.Background(), "alice", env.Now())
	require.NoError(t, err)
	assert.Empty(t, list)
	assert.Zero(t, env.Sender.Count())
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]sms.Config{
		"unknown region":   {Phones: phone.Parser{AllowedRegions: []string{"XX"}}},
		"bad domain":       {WebOTPDomain: "https://example.com"},
		"newline app name": {AppName: "Acme\nBank"},
		"bad language":     {DefaultLanguage: "tlh"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sms.New(cfg)
			assert.ErrorIs(t, err, factor.ErrInvalidConfig)
		})
	}
}
