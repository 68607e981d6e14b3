package phone

import "errors"

// Sentinel errors. Every error this package returns is an *Error wrapping
// exactly one of them, so callers branch with errors.Is.
var (
	// ErrEmpty means the input held no number at all.
	ErrEmpty = errors.New("phone: no number given")
	// ErrTooLong means the input was longer than 64 characters and was not
	// parsed.
	ErrTooLong = errors.New("phone: input too long")
	// ErrInvalid means the input is not a valid phone number: not a number
	// at all, an unknown country code, the wrong length, or a range that is
	// not in use.
	ErrInvalid = errors.New("phone: not a valid phone number")
	// ErrExtension means the input carried an extension, such as
	// "ext. 123", "x123" or ";ext=123". Codes cannot be delivered to an
	// extension.
	ErrExtension = errors.New("phone: extensions are not supported")
	// ErrRegionNotAllowed means the number belongs to a region that is not
	// in the Parser's allowed regions.
	ErrRegionNotAllowed = errors.New("phone: country not allowed")
	// ErrUnknownRegion means the Parser's configuration names a region code
	// the phone-number metadata does not know. It is a programming error,
	// not bad user input.
	ErrUnknownRegion = errors.New("phone: unknown region code in configuration")
	// ErrNotMobile means a number that cannot receive SMS, such as a fixed
	// line or a VoIP number, was offered for SMS.
	ErrNotMobile = errors.New("phone: not a mobile number")
	// ErrUnsupportedType means a number of a line type that takes no voice
	// calls, such as a pager or a company number, was offered for voice.
	ErrUnsupportedType = errors.New("phone: line type not supported")
	// ErrPremiumRate means the number is a premium-rate number, such as
	// Dutch 0900, 0906 and 0909 numbers.
	ErrPremiumRate = errors.New("phone: premium-rate number")
	// ErrTollFree means the number is a toll-free number, such as a Dutch
	// 0800 number.
	ErrTollFree = errors.New("phone: toll-free number")
	// ErrSharedCost means the number is a shared-cost number, such as a
	// Dutch 084 or 087 number.
	ErrSharedCost = errors.New("phone: shared-cost number")
	// ErrMachineToMachine means the number is in a machine-to-machine range,
	// such as Dutch 097 numbers, used by meters and other devices.
	ErrMachineToMachine = errors.New("phone: machine-to-machine number")
)

// Error explains why an input was refused. It wraps one of the sentinel
// errors, so errors.Is(err, ErrPremiumRate) works. It never holds the full
// number: only its masked form, and only once the input parsed.
type Error struct {
	// Err is the sentinel error, such as ErrInvalid or ErrPremiumRate.
	Err error
	// Reason is a short detail without the number, such as "too short" or
	// "fixed line". It may be empty.
	Reason string
	// Masked is the masked form of the refused number, as returned by
	// Number.Masked. It is empty when the input did not parse.
	Masked string
}

// Error returns the sentinel's message followed by the reason and the
// masked number, for example
// "phone: not a mobile number: fixed line (+31 20 ••• 4567)".
func (e *Error) Error() string {
	msg := e.Err.Error()
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Masked != "" {
		msg += " (" + e.Masked + ")"
	}
	return msg
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error {
	return e.Err
}
