package factor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

func TestResealAfterRotation(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	oldKey, newKey := testKey("2025", 1), testKey("2026", 2)
	newManager := func(keys ...factor.ServerKey) *factor.Manager {
		m, err := factor.NewManager(factor.Config{Store: store, Keys: keys, Factors: []factor.Factor{&spy{}}})
		require.NoError(t, err)
		return m
	}
	before := newManager(oldKey)
	e, err := before.Enroll(ctx, factor.EnrollRequest{UserID: "u", Kind: kindSpy, Secret: []byte("code")}, t0)
	require.NoError(t, err)
	require.NoError(t, factortest.Err(before.Confirm(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "code"}, t0)))

	rotated := newManager(newKey, oldKey)
	require.NoError(t, factortest.Err(rotated.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "code"}, t0)), "old rows still verify")
	n, err := rotated.Reseal(ctx, "u")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = rotated.Reseal(ctx, "u")
	require.NoError(t, err)
	assert.Equal(t, 0, n, "idempotent")

	after := newManager(newKey)
	require.NoError(t, factortest.Err(after.Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "code"}, t0)), "only the new key is needed")
	assert.ErrorIs(t, factortest.Err(newManager(oldKey).Verify(ctx, factor.Answer{UserID: "u", EnrollmentID: e.ID, Code: "code"}, t0)), factor.ErrSealed)
}
