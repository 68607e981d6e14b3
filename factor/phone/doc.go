// Package phone turns what people type into a phone-number field into an
// E.164 number with a line type, and decides whether that number may receive
// a code by SMS or by voice call.
//
// A Parser understands the forms people actually type: "06-12345678",
// "+31 (0)6 12345678", "0031 6 1234 5678", dots, dashes, spaces,
// parentheses, full-width digits and a full-width plus. Numbers without a
// country code are read in the Parser's default region, the Netherlands when
// none is set. Numbers from regions the Parser does not allow are refused, so
// codes cannot be pumped to far-away premium ranges.
//
// Parse only validates; ForSMS and ForVoice also apply the delivery policy:
// SMS goes to mobile numbers only, voice calls also go to fixed lines and
// VoIP numbers, and neither ever goes to premium-rate, toll-free,
// shared-cost or machine-to-machine numbers. Every refusal is an *Error that
// wraps one sentinel error, so callers branch with errors.Is, and no error
// ever contains the full number: at most its masked form, such as
// "+31 6 •••• 5678".
//
// The package is a leaf: it imports no other twostep package, and it is the
// only one that pulls in the phone-number metadata of
// github.com/nyaruka/phonenumbers.
package phone
