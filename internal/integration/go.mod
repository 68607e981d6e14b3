// Tests that combine packages of several of the repository's modules,
// which no single library module may require: the end-to-end scenarios,
// the leak search across every factor and sender, the senders behind
// failover. Nothing here is imported.
module github.com/twostep/twostep/internal/integration

go 1.26.0

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/descope/virtualwebauthn v1.0.3
	github.com/emersion/go-smtp v0.25.1
	github.com/jackc/pgx/v5 v5.12.0
	github.com/stretchr/testify v1.12.1
	github.com/twostep/twostep v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/email/smtp v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/factor/phone v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/factor/sqlstore v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/passkey v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/sms v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/voice v0.0.0-00010101000000-000000000000
	modernc.org/sqlite v1.60.1
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
	github.com/fxamacker/cbor/v2 v2.9.4 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/go-viper/mapstructure/v2 v2.5.0 // indirect
	github.com/go-webauthn/webauthn v0.18.2 // indirect
	github.com/go-webauthn/x v0.3.1 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.0.0 // indirect
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/skip2/go-qrcode v0.0.0-20200617195104-da1b6568686e // indirect
	github.com/tinylib/msgp v1.6.4 // indirect
	github.com/wneessen/go-mail v0.8.1 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
	modernc.org/libc v1.77.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)

replace (
	github.com/twostep/twostep => ../..
	github.com/twostep/twostep/email/smtp => ../../email/smtp
	github.com/twostep/twostep/factor/phone => ../../factor/phone
	github.com/twostep/twostep/factor/sqlstore => ../../factor/sqlstore
	github.com/twostep/twostep/passkey => ../../passkey
	github.com/twostep/twostep/sms => ../../sms
	github.com/twostep/twostep/voice => ../../voice
)
