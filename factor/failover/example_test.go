package failover_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/delivery"
	"github.com/twostep/twostep/factor/failover"
)

func Example() {
	// In production: failover.Sender{Senders: []factor.Sender{twilioSender, birdSender}}.
	primary := factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
		// What the twostep senders return when the provider is down.
		return &delivery.Error{Provider: "primary", Status: 503, Err: delivery.ErrUnavailable}
	})
	backup := factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
		fmt.Println("backup delivers to", factor.Redact(m.To))
		return nil
	})
	s := &failover.Sender{Senders: []factor.Sender{primary, backup}}
	fmt.Println(s.Send(context.Background(), factor.Message{Kind: factor.KindSMS, To: "+31612345678"}))

	refused := factor.SenderFunc(func(ctx context.Context, m factor.Message) error {
		return &delivery.Error{Provider: "primary", Status: 400, Err: delivery.ErrInvalidNumber}
	})
	s = &failover.Sender{Senders: []factor.Sender{refused, backup}}
	err := s.Send(context.Background(), factor.Message{Kind: factor.KindSMS, To: "+3161234"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, factor.ErrDelivery), errors.Is(err, delivery.ErrInvalidNumber))
	// Output:
	// backup delivers to ***78
	// <nil>
	// failover: sender 0: primary: invalid phone number (HTTP 400)
	// true true
}
