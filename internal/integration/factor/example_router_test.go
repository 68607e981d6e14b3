package factor_test

import (
	"encoding/base64"
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
// Bird as the fallback, calls through Twilio, email through SMTP, and the
// server key that every instance shares, with Twilio's delivery receipts.
// This is the README's "Senders" snippet. It has no output, so it is
// compiled but not run: it needs real credentials, and it registers
// handlers on http.DefaultServeMux.
func ExampleRouter() {
	texts, err := twilio.New(twilio.Config{
		AccountSID:        os.Getenv("TWILIO_ACCOUNT_SID"),
		AuthToken:         os.Getenv("TWILIO_AUTH_TOKEN"),
		From:              os.Getenv("TWILIO_FROM"),
		StatusCallbackURL: os.Getenv("TWILIO_PUBLIC_URL") + "/twostep/sms/status", // delivery receipts
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
		AccountSID:        os.Getenv("TWILIO_ACCOUNT_SID"),
		AuthToken:         os.Getenv("TWILIO_AUTH_TOKEN"),
		From:              os.Getenv("TWILIO_FROM"),
		CallbackURL:       os.Getenv("TWILIO_PUBLIC_URL") + "/twostep/voice/keypad",
		StatusCallbackURL: os.Getenv("TWILIO_PUBLIC_URL") + "/twostep/voice/status",
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
	store := memstore.New() // sqlstore in production

	// The server key seals secrets and keys the hashes of codes. It must be
	// the same on every instance and after restarts: without Keys each
	// process makes a random key, and what it stored is lost with it.
	serverKey, err := base64.StdEncoding.DecodeString(os.Getenv("TWOSTEP_KEY")) // 32+ random bytes: openssl rand -base64 32
	if err != nil {
		log.Fatal(err)
	}
	m, err := factor.NewManager(factor.Config{
		Store:   store,
		Keys:    []factor.ServerKey{{ID: os.Getenv("TWOSTEP_KEY_ID"), Secret: serverKey}}, // a new ID for every new key
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
	// Twilio reports here whether a code reached the phone; ChallengeStatus
	// then says "undelivered" for one that did not.
	http.Handle("POST /twostep/sms/status", &twilio.MessageStatusHandler{
		Manager: m, AuthToken: os.Getenv("TWILIO_AUTH_TOKEN"), PublicURL: os.Getenv("TWILIO_PUBLIC_URL"),
	})
	http.Handle("POST /twostep/voice/status", &voicetwilio.CallStatusHandler{
		Manager:   m,
		Validator: &voicetwilio.Validator{AuthToken: os.Getenv("TWILIO_AUTH_TOKEN"), PublicURL: os.Getenv("TWILIO_PUBLIC_URL")},
	})
}
