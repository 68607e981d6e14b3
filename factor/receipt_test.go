package factor_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/memstore"
)

// receipts is a Manager with fake SMS and voice factors on a FaultStore
// that records its calls, and a phone of each kind for alice.
type receipts struct {
	m          *factor.Manager
	fs         *factortest.FaultStore
	sender     *factortest.RecordingSender
	sms, voice string // enrollment IDs
	ctx        context.Context
}

func newReceipts(t *testing.T) *receipts {
	r := &receipts{fs: &factortest.FaultStore{Inner: memstore.New()}, sender: &factortest.RecordingSender{}, ctx: context.Background()}
	var err error
	r.m, err = factor.NewManager(factor.Config{
		Store: r.fs.Store(), Keys: []factor.ServerKey{keyOld}, Sender: r.sender,
		Factors: []factor.Factor{fakePhone{factor.KindSMS}, fakePhone{factor.KindVoice}},
	})
	require.NoError(t, err)
	for _, k := range []factor.Kind{factor.KindSMS, factor.KindVoice} {
		e, err := r.m.Enroll(r.ctx, factor.EnrollRequest{UserID: "alice", Kind: k, Address: "+31612345678"}, t0)
		require.NoError(t, err)
		if k == factor.KindSMS {
			r.sms = e.ID
		} else {
			r.voice = e.ID
		}
	}
	return r
}

// challenge sends a code to enrollment id and returns the message.
func (r *receipts) challenge(t *testing.T, id string, keypad bool, now time.Time) factor.Message {
	t.Helper()
	_, err := r.m.Challenge(r.ctx, factor.ChallengeRequest{UserID: "alice", EnrollmentID: id, Keypad: keypad}, now)
	require.NoError(t, err)
	msg, ok := r.sender.Last()
	require.True(t, ok)
	return msg
}

func (r *receipts) record(t *testing.T, msg factor.Message, d factor.Delivery, now time.Time) bool {
	t.Helper()
	changed, err := r.m.Extension().RecordDelivery(r.ctx, factor.Receipt{ChallengeID: msg.ChallengeID, Send: msg.Send, Delivery: d}, now)
	require.NoError(t, err)
	return changed
}

func (r *receipts) state(t *testing.T, id string, now time.Time) factor.ChallengeState {
	t.Helper()
	s, err := r.m.ChallengeStatus(r.ctx, "alice", id, now)
	require.NoError(t, err)
	return s
}

// TestUndeliveredShowsAfterOneReceipt: one receipt saying the code did not
// arrive shows on ChallengeStatus. It touches nothing but the challenge: no
// attempt is counted and no budget charged or refunded, and the code still
// works if it arrives after all.
func TestUndeliveredShowsAfterOneReceipt(t *testing.T) {
	for _, d := range []factor.Delivery{factor.DeliveryUndelivered, factor.DeliveryFailed} {
		t.Run(string(d), func(t *testing.T) {
			r := newReceipts(t)
			msg := r.challenge(t, r.sms, false, t0)
			assert.Equal(t, 1, msg.Send)
			assert.Equal(t, factor.ChallengePending, r.state(t, msg.ChallengeID, t0))

			r.fs.Arm(0, false)
			assert.True(t, r.record(t, msg, d, t0.Add(time.Second)))
			assert.Equal(t, []string{"GetChallenge", "UpdateChallenge"}, r.fs.Calls(), "nothing but the challenge")
			assert.Equal(t, factor.ChallengeUndelivered, r.state(t, msg.ChallengeID, t0.Add(time.Second)))

			c, err := r.fs.Inner.GetChallenge(r.ctx, msg.ChallengeID)
			require.NoError(t, err)
			assert.Equal(t, d, c.Delivery)
			assert.Zero(t, c.Tries)
			_, err = r.m.Confirm(r.ctx, factor.Answer{UserID: "alice", ChallengeID: msg.ChallengeID, Code: msg.Code}, t0.Add(2*time.Second))
			require.NoError(t, err, "the code stays valid")
		})
	}
}

// TestDeliveryMovesOnlyForward feeds receipts in orders a provider's
// retries and reordering produce; only news changes the challenge.
func TestDeliveryMovesOnlyForward(t *testing.T) {
	const (
		sent, delivered   = factor.DeliverySent, factor.DeliveryDelivered
		undelivered, fail = factor.DeliveryUndelivered, factor.DeliveryFailed
	)
	tests := map[string]struct {
		seq     []factor.Delivery
		changed []bool
		want    factor.ChallengeState
	}{
		"sent":                     {[]factor.Delivery{sent}, []bool{true}, factor.ChallengePending},
		"sent then delivered":      {[]factor.Delivery{sent, delivered}, []bool{true, true}, factor.ChallengeDelivered},
		"sent after delivered":     {[]factor.Delivery{delivered, sent}, []bool{true, false}, factor.ChallengeDelivered},
		"repeated":                 {[]factor.Delivery{undelivered, undelivered}, []bool{true, false}, factor.ChallengeUndelivered},
		"delivered after failed":   {[]factor.Delivery{fail, delivered}, []bool{true, false}, factor.ChallengeUndelivered},
		"undelivered after deliv.": {[]factor.Delivery{delivered, undelivered}, []bool{true, false}, factor.ChallengeDelivered},
		"sent twice":               {[]factor.Delivery{sent, sent, undelivered}, []bool{true, false, true}, factor.ChallengeUndelivered},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r := newReceipts(t)
			msg := r.challenge(t, r.sms, false, t0)
			for i, d := range tt.seq {
				assert.Equal(t, tt.changed[i], r.record(t, msg, d, t0), "receipt %d (%s)", i, d)
			}
			assert.Equal(t, tt.want, r.state(t, msg.ChallengeID, t0))
		})
	}
}

// TestReceiptForAnEarlierCode: a resend starts without a receipt, and a
// late receipt for the code it replaced changes nothing.
func TestReceiptForAnEarlierCode(t *testing.T) {
	r := newReceipts(t)
	first := r.challenge(t, r.sms, false, t0)
	assert.True(t, r.record(t, first, factor.DeliveryFailed, t0))
	later := t0.Add(time.Minute)
	_, err := r.m.Resend(r.ctx, "alice", first.ChallengeID, "", later)
	require.NoError(t, err)
	second, _ := r.sender.Last()
	assert.Equal(t, 2, second.Send)
	assert.Equal(t, factor.ChallengePending, r.state(t, first.ChallengeID, later), "the new code has no receipt")

	assert.False(t, r.record(t, first, factor.DeliveryUndelivered, later), "late receipt of the first code")
	assert.Equal(t, factor.ChallengePending, r.state(t, first.ChallengeID, later))
	assert.True(t, r.record(t, second, factor.DeliveryDelivered, later))
	assert.Equal(t, factor.ChallengeDelivered, r.state(t, first.ChallengeID, later))
}

// TestReceiptForAClosedChallenge: a used or expired challenge keeps its
// state; a receipt for it is no error, so that the provider stops trying.
func TestReceiptForAClosedChallenge(t *testing.T) {
	r := newReceipts(t)
	used := r.challenge(t, r.sms, false, t0)
	_, err := r.m.Confirm(r.ctx, factor.Answer{UserID: "alice", ChallengeID: used.ChallengeID, Code: used.Code}, t0)
	require.NoError(t, err)
	assert.False(t, r.record(t, used, factor.DeliveryUndelivered, t0))
	assert.Equal(t, factor.ChallengeUsed, r.state(t, used.ChallengeID, t0))

	expired := r.challenge(t, r.voice, false, t0)
	late := expired.ExpiresAt
	assert.False(t, r.record(t, expired, factor.DeliveryUndelivered, late))
	c, err := r.fs.Inner.GetChallenge(r.ctx, expired.ChallengeID)
	require.NoError(t, err)
	assert.Equal(t, factor.DeliveryUnknown, c.Delivery)
	assert.Equal(t, factor.ChallengeExpired, r.state(t, expired.ChallengeID, late))
}

// TestKeypadCallWaitsForTheDigits: a keypad call's page waits for the
// digits, so a delivered call stays pending, but a call that did not reach
// the user ends the wait.
func TestKeypadCallWaitsForTheDigits(t *testing.T) {
	r := newReceipts(t)
	answered := r.challenge(t, r.voice, true, t0)
	assert.True(t, r.record(t, answered, factor.DeliveryDelivered, t0))
	assert.Equal(t, factor.ChallengePending, r.state(t, answered.ChallengeID, t0))
	require.NoError(t, r.m.ApproveKeypad(r.ctx, answered.ChallengeID, answered.Code, t0))
	assert.Equal(t, factor.ChallengeApproved, r.state(t, answered.ChallengeID, t0))

	busy := r.challenge(t, r.voice, true, t0.Add(time.Minute))
	assert.True(t, r.record(t, busy, factor.DeliveryUndelivered, t0.Add(time.Minute)))
	assert.Equal(t, factor.ChallengeUndelivered, r.state(t, busy.ChallengeID, t0.Add(time.Minute)))
}

func TestReceiptRefusals(t *testing.T) {
	r := newReceipts(t)
	msg := r.challenge(t, r.sms, false, t0)
	x := r.m.Extension()
	_, err := x.RecordDelivery(r.ctx, factor.Receipt{ChallengeID: "no-such-challenge", Send: 1, Delivery: factor.DeliveryFailed}, t0)
	assert.ErrorIs(t, err, factor.ErrNotFound)
	for name, rc := range map[string]factor.Receipt{
		"no challenge":     {Send: 1, Delivery: factor.DeliveryFailed},
		"bad challenge":    {ChallengeID: "a\x00b", Send: 1, Delivery: factor.DeliveryFailed},
		"no send":          {ChallengeID: msg.ChallengeID, Delivery: factor.DeliveryFailed},
		"unknown delivery": {ChallengeID: msg.ChallengeID, Send: 1, Delivery: "read"},
		"empty delivery":   {ChallengeID: msg.ChallengeID, Send: 1},
	} {
		t.Run(name, func(t *testing.T) {
			changed, err := x.RecordDelivery(r.ctx, rc, t0)
			assert.ErrorIs(t, err, factor.ErrMalformed)
			assert.False(t, changed)
		})
	}
	assert.Equal(t, factor.ChallengePending, r.state(t, msg.ChallengeID, t0))
}

// TestConcurrentReceipts: of many copies of one receipt exactly one
// changes the challenge, and a concurrent answer still uses it up.
func TestConcurrentReceipts(t *testing.T) {
	r := newReceipts(t)
	msg := r.challenge(t, r.sms, false, t0)
	var changed atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			ok, err := r.m.Extension().RecordDelivery(r.ctx, factor.Receipt{ChallengeID: msg.ChallengeID, Send: 1, Delivery: factor.DeliveryDelivered}, t0)
			assert.NoError(t, err)
			if ok {
				changed.Add(1)
			}
		})
	}
	wg.Go(func() {
		_, err := r.m.Confirm(r.ctx, factor.Answer{UserID: "alice", ChallengeID: msg.ChallengeID, Code: msg.Code}, t0)
		assert.NoError(t, err)
	})
	wg.Wait()
	assert.LessOrEqual(t, changed.Load(), int32(1))
	assert.Equal(t, factor.ChallengeUsed, r.state(t, msg.ChallengeID, t0))
}
