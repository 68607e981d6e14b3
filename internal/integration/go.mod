// Tests that combine packages of several of the repository's modules,
// which no single library module may require: the end-to-end scenarios,
// the leak search across every factor and sender, the senders behind
// failover. Nothing here is imported.
module github.com/twostep/twostep/internal/integration

go 1.26.0

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/emersion/go-smtp v0.25.1
	github.com/stretchr/testify v1.12.1
	github.com/twostep/twostep v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/email/smtp v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/factor/phone v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/sms v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/voice v0.0.0-00010101000000-000000000000
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	github.com/skip2/go-qrcode v0.0.0-20200617195104-da1b6568686e // indirect
	github.com/wneessen/go-mail v0.8.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

replace (
	github.com/twostep/twostep => ../..
	github.com/twostep/twostep/email/smtp => ../../email/smtp
	github.com/twostep/twostep/factor/phone => ../../factor/phone
	github.com/twostep/twostep/sms => ../../sms
	github.com/twostep/twostep/voice => ../../voice
)
