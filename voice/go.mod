// voice is a module of its own: it needs factor/phone and its metadata.
module github.com/twostep/twostep/voice

go 1.26.0

require (
	github.com/stretchr/testify v1.12.1
	github.com/twostep/twostep v0.0.0-00010101000000-000000000000
	github.com/twostep/twostep/factor/phone v0.0.0-00010101000000-000000000000
)

require (
	github.com/nyaruka/phonenumbers v1.8.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

replace (
	github.com/twostep/twostep => ..
	github.com/twostep/twostep/factor/phone => ../factor/phone
)
