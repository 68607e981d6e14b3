// push/fcm is a module of its own: it needs golang.org/x/oauth2.
module github.com/twostep/twostep/push/fcm

go 1.26.0

require (
	github.com/stretchr/testify v1.12.1
	github.com/twostep/twostep v0.0.0-00010101000000-000000000000
	golang.org/x/oauth2 v0.38.0
)

require (
	cloud.google.com/go/compute/metadata v0.3.0 // indirect
	github.com/skip2/go-qrcode v0.0.0-20200617195104-da1b6568686e // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/twostep/twostep => ../..
