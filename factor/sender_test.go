package factor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

func TestRouter(t *testing.T) {
	sms, mail := &factortest.RecordingSender{}, &factortest.RecordingSender{}
	r := factor.Router{factor.KindSMS: sms, factor.KindEmail: mail}
	ctx := context.Background()
	require.NoError(t, r.Send(ctx, factor.Message{Kind: factor.KindSMS, To: "+31612345678", Code: "123456"}))
	require.NoError(t, r.Send(ctx, factor.Message{Kind: factor.KindEmail, To: "a@example.com", Code: "654321"}))
	assert.Equal(t, 1, sms.Count())
	assert.Equal(t, 1, mail.Count())
	err := r.Send(ctx, factor.Message{Kind: factor.KindVoice, To: "+31201234567", Code: "111111"})
	assert.ErrorIs(t, err, factor.ErrDelivery)
	assert.NotContains(t, err.Error(), "111111")
}

func TestMessageLogValueRedacts(t *testing.T) {
	m := factor.Message{Kind: factor.KindSMS, To: "+31612345678", Code: "123456", Text: "code 123456"}
	v := m.LogValue().String()
	assert.NotContains(t, v, "123456")
	assert.NotContains(t, v, "+31612345678")
}
