package phone

// userTexts holds the Dutch and English texts people see for each refusal.
var userTexts = map[error][2]string{
	ErrEmpty:            {"Vul een telefoonnummer in.", "Please enter a phone number."},
	ErrTooLong:          {"Dit telefoonnummer is te lang.", "This phone number is too long."},
	ErrInvalid:          {"Dit is geen geldig telefoonnummer.", "This is not a valid phone number."},
	ErrExtension:        {"Een toestelnummer wordt niet ondersteund.", "Extensions are not supported."},
	ErrRegionNotAllowed: {"Telefoonnummers uit dit land worden niet ondersteund.", "Phone numbers from this country are not supported."},
	ErrUnknownRegion:    {"Er ging iets mis. Probeer het later opnieuw.", "Something went wrong. Please try again later."},
	ErrNotMobile:        {"Vul een mobiel nummer in: naar dit nummer kunnen we geen sms sturen.", "Please enter a mobile number: this number cannot receive text messages."},
	ErrUnsupportedType:  {"Naar dit nummer kunnen we niet bellen.", "We cannot call this number."},
	ErrPremiumRate:      {"Betaalnummers (zoals 0900) zijn niet toegestaan.", "Premium-rate numbers (such as 0900) are not allowed."},
	ErrTollFree:         {"Gratis informatienummers (zoals 0800) zijn niet toegestaan.", "Toll-free numbers (such as 0800) are not allowed."},
	ErrSharedCost:       {"Servicenummers (zoals 084 en 087) zijn niet toegestaan.", "Shared-cost numbers (such as 084 and 087) are not allowed."},
	ErrMachineToMachine: {"Dit nummer is voor apparaten (097) en kan geen sms ontvangen.", "This number is for machines (097) and cannot receive text messages."},
}

// UserMessage returns the text a person should see, in Dutch ("nl") or
// English (anything else). It never contains the number.
func (e *Error) UserMessage(lang string) string {
	t, ok := userTexts[e.Err]
	if !ok {
		t = userTexts[ErrInvalid]
	}
	if lang == "nl" {
		return t[0]
	}
	return t[1]
}
