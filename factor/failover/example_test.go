package failover_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/failover"
)

// outage is what a provider error looks like to failover: it says whether
// another provider may succeed.
type outage struct{}

func (outage) Error() string   { return "primary: provider unavailable (HTTP 503)" }
func (outage) Retryable() bool { return true }

func Example() {
	// In production: failover.Sender{Senders: []factor.Sender{twilioSender, birdSender}}.
	primary := factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
		return outage{}
	})
	backup := factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
		fmt.Println("backup delivers to", factor.Redact(m.To))
		return nil
	})
	s := &failover.Sender{Senders: []factor.Sender{primary, backup}}
	fmt.Println(s.Send(context.Background(), factor.Message{Kind: factor.KindSMS, To: "+31612345678"}))

	refused := factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
		return errors.New("primary: invalid phone number")
	})
	s = &failover.Sender{Senders: []factor.Sender{refused, backup}}
	err := s.Send(context.Background(), factor.Message{Kind: factor.KindSMS, To: "+3161234"})
	fmt.Println(err, errors.Is(err, factor.ErrDelivery))
	// Output:
	// backup delivers to ***78
	// <nil>
	// failover: sender 0: primary: invalid phone number true
}
