package phone

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// LineType is the kind of line a number belongs to. The zero value is
// Unknown.
type LineType int

// Line types. Apart from MachineToMachine they follow the classification of
// libphonenumber.
const (
	// Unknown means the line type could not be determined.
	Unknown LineType = iota
	// Mobile is a mobile phone number.
	Mobile
	// FixedLine is a landline number.
	FixedLine
	// FixedOrMobile is a number that may be either; libphonenumber uses it
	// where the numbering plan does not tell the two apart, such as in the
	// United States and Canada.
	FixedOrMobile
	// VoIP is a voice-over-IP or location-independent number, such as Dutch
	// 085 and 091 numbers.
	VoIP
	// TollFree is a number that is free for the caller, such as Dutch 0800.
	TollFree
	// PremiumRate is a number that costs the caller extra, such as Dutch
	// 0900, 0906 and 0909.
	PremiumRate
	// SharedCost is a number whose cost is shared by caller and callee,
	// such as Dutch 084 and 087.
	SharedCost
	// Personal is a personal number that forwards to another line, such as
	// British 070.
	Personal
	// Pager is a pager number, such as Dutch 066.
	Pager
	// UAN is a universal access (company) number, such as Dutch 088.
	UAN
	// Voicemail is a voicemail access number.
	Voicemail
	// MachineToMachine is a number for devices rather than people, such as
	// Dutch 097. libphonenumber reports these as mobile; this package does
	// not.
	MachineToMachine
)

// String returns a lower-case English name for the line type, such as
// "mobile" or "fixed line".
func (t LineType) String() string {
	switch t {
	case Unknown:
		return "unknown"
	case Mobile:
		return "mobile"
	case FixedLine:
		return "fixed line"
	case FixedOrMobile:
		return "fixed line or mobile"
	case VoIP:
		return "VoIP"
	case TollFree:
		return "toll-free"
	case PremiumRate:
		return "premium rate"
	case SharedCost:
		return "shared cost"
	}
	return t.rareString()
}

// rareString names the line types that rarely receive codes.
func (t LineType) rareString() string {
	switch t {
	case Personal:
		return "personal"
	case Pager:
		return "pager"
	case UAN:
		return "UAN"
	case Voicemail:
		return "voicemail"
	case MachineToMachine:
		return "machine-to-machine"
	}
	return "LineType(" + strconv.Itoa(int(t)) + ")"
}

// lineType classifies a valid number of the given region. It corrects
// libphonenumber for Dutch ranges it lumps in with others: 097 numbers
// are machine-to-machine (libphonenumber says mobile), and 084 and 087
// numbers are shared cost (libphonenumber says UAN).
func lineType(pn *phonenumbers.PhoneNumber, region string) LineType {
	if region == "NL" {
		nsn := phonenumbers.GetNationalSignificantNumber(pn)
		switch {
		case strings.HasPrefix(nsn, "97"):
			return MachineToMachine
		case strings.HasPrefix(nsn, "84"), strings.HasPrefix(nsn, "87"):
			return SharedCost
		}
	}
	return fromLibrary(phonenumbers.GetNumberType(pn))
}

// fromLibrary maps libphonenumber's number type onto LineType.
func fromLibrary(t phonenumbers.PhoneNumberType) LineType {
	switch t {
	case phonenumbers.MOBILE:
		return Mobile
	case phonenumbers.FIXED_LINE:
		return FixedLine
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return FixedOrMobile
	case phonenumbers.VOIP:
		return VoIP
	case phonenumbers.TOLL_FREE:
		return TollFree
	case phonenumbers.PREMIUM_RATE:
		return PremiumRate
	case phonenumbers.SHARED_COST:
		return SharedCost
	}
	return fromLibraryRare(t)
}

// fromLibraryRare maps the number types that rarely receive codes.
func fromLibraryRare(t phonenumbers.PhoneNumberType) LineType {
	switch t {
	case phonenumbers.PERSONAL_NUMBER:
		return Personal
	case phonenumbers.PAGER:
		return Pager
	case phonenumbers.UAN:
		return UAN
	case phonenumbers.VOICEMAIL:
		return Voicemail
	}
	return Unknown
}
