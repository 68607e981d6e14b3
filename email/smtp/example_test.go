package smtp_test

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/twostep/twostep/email/smtp"
	"github.com/twostep/twostep/email/smtp/smtptest"
	"github.com/twostep/twostep/factor"
)

func Example() {
	// A real SMTP server in this process, offering STARTTLS with a
	// certificate made for the example.
	srv, stop, err := smtptest.Start(smtptest.Options{TLS: true, User: "mailer", Pass: "secret"})
	if err != nil {
		panic(err)
	}
	defer stop()

	sender, err := smtp.New(smtp.Config{
		Host:     "127.0.0.1",
		Port:     srv.Port, // zero means 587
		Username: "mailer",
		Password: "secret",
		From:     "Example <no-reply@example.com>",
		// Only because the example's server has its own certificate; nil
		// means the system's roots.
		TLSConfig: &tls.Config{RootCAs: srv.RootCAs},
	})
	if err != nil {
		panic(err)
	}
	err = sender.Send(context.Background(), factor.Message{
		Kind:    factor.KindEmail,
		To:      "anna@example.org",
		Subject: "Your login code",
		Text:    "Your login code is 123456.",
		HTML:    "<p>Your login code is <b>123456</b>.</p>",
	})
	fmt.Println(err)
	for _, m := range srv.Mails() {
		fmt.Println(m.From, m.To, "encrypted:", m.TLS)
	}
	// Output:
	// <nil>
	// no-reply@example.com [anna@example.org] encrypted: true
}
