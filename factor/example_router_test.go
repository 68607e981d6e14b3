package factor_test

import (
	"log"
	"net/http"
	"os"
	"strconv"

	"github.com/twostep/twostep/email"
	"github.com/twostep/twostep/email/smtp"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/failover"
	"github.com/twostep/twostep/factor/memstore"
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/sms/bird"
	"github.com/twostep/twostep/sms/twilio"
	"github.com/twostep/twostep/voice"
	voicetwilio "github.com/twostep/twostep/voice/twilio"
)

// Production wiring from environment variables: SMS through Twilio with
// Bird as the fallback, calls through Twilio, email through SMTP.
func ExampleRouter() {
	texts, err := twilio.New(twilio.Config{
		AccountSID: os.Getenv("TWILIO_ACCOUNT_SID"),
		AuthToken:  os.Getenv("TWILIO_AUTH_TOKEN"),
		From:       os.Getenv("TWILIO_FROM"),
	})
	if err != nil {
		log.Fatal(err)
	}
	backup, err := bird.New(bird.Config{
		AccessKey:   os.Getenv("BIRD_ACCESS_KEY"),
		WorkspaceID: os.Getenv("BIRD_WORKSPACE_ID"),
		ChannelID:   os.Getenv("BIRD_CHANNEL_ID"),
	})
	if err != nil {
		log.Fatal(err)
	}
	calls, err := voicetwilio.New(voicetwilio.Config{
		AccountSID:  os.Getenv("TWILIO_ACCOUNT_SID"),
		AuthToken:   os.Getenv("TWILIO_AUTH_TOKEN"),
		From:        os.Getenv("TWILIO_FROM"),
		CallbackURL: os.Getenv("TWILIO_PUBLIC_URL") + "/twostep/voice/keypad",
	})
	if err != nil {
		log.Fatal(err)
	}
	port, _ := strconv.Atoi(os.Getenv("SMTP_PORT")) // zero: 587 with STARTTLS required
	mail, err := smtp.New(smtp.Config{
		Host:     os.Getenv("SMTP_HOST"),
		Port:     port,
		Username: os.Getenv("SMTP_USERNAME"),
		Password: os.Getenv("SMTP_PASSWORD"),
		From:     os.Getenv("SMTP_FROM"),
	})
	if err != nil {
		log.Fatal(err)
	}

	smsFactor, err := sms.New(sms.Config{AppName: "Acme"})
	if err != nil {
		log.Fatal(err)
	}
	voiceFactor, err := voice.New(voice.Config{AppName: "Acme"})
	if err != nil {
		log.Fatal(err)
	}
	emailFactor, err := email.New(email.Config{AppName: "Acme"})
	if err != nil {
		log.Fatal(err)
	}
	m, err := factor.NewManager(factor.Config{
		Store:   memstore.New(), // sqlstore in production
		Factors: []factor.Factor{smsFactor, voiceFactor, emailFactor},
		Sender: factor.Router{
			factor.KindSMS:   &failover.Sender{Senders: []factor.Sender{texts, backup}},
			factor.KindVoice: calls,
			factor.KindEmail: mail,
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Twilio posts the digits typed during a keypad call here; the handler
	// checks Twilio's signature before it believes anything.
	http.Handle("POST /twostep/voice/keypad", &voice.Handler{
		Manager: m,
		Auth:    &voicetwilio.Validator{AuthToken: os.Getenv("TWILIO_AUTH_TOKEN"), PublicURL: os.Getenv("TWILIO_PUBLIC_URL")},
	})
}
