// factor/phone is a module of its own: its phone-number metadata
// (nyaruka/phonenumbers) stays out of programs that send no SMS or calls.
module github.com/twostep/twostep/factor/phone

go 1.26.0

require (
	github.com/nyaruka/phonenumbers v1.8.1
	github.com/stretchr/testify v1.12.1
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/text v0.23.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
