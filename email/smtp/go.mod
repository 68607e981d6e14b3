// email/smtp is a module of its own: go-mail, and go-smtp for its
// tests, stay out of programs that send no email over SMTP.
module github.com/twostep/twostep/email/smtp

go 1.26.0

require (
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
	github.com/emersion/go-smtp v0.25.1
	github.com/stretchr/testify v1.12.1
	github.com/twostep/twostep v0.0.0-00010101000000-000000000000
	github.com/wneessen/go-mail v0.8.1
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/twostep/twostep => ../..
