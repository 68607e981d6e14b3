package phone

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// defaultRegion is the region used when Parser.DefaultRegion is empty.
const defaultRegion = "NL"

// maxE164Digits is the most digits E.164 allows in a number, country code
// included. libphonenumber accepts some longer German numbers.
const maxE164Digits = 15

// maxInputRunes is the longest input, in characters, that is parsed at all.
const maxInputRunes = 64

// Parser parses phone numbers and decides where codes may go. The zero
// value is ready to use: it reads numbers without a country code as Dutch
// and accepts Dutch numbers only. A Parser is never modified by its methods
// and is safe for concurrent use.
type Parser struct {
	// DefaultRegion is the ISO 3166-1 alpha-2 code of the region in which
	// numbers without a country code are read, such as "NL" or "BE". Empty
	// means "NL". Case does not matter.
	DefaultRegion string
	// AllowedRegions lists the ISO 3166-1 alpha-2 codes of the regions whose
	// numbers are accepted. Empty means only DefaultRegion. Otherwise exactly
	// the listed regions are accepted, so list DefaultRegion too if its
	// numbers are wanted. Case does not matter.
	AllowedRegions []string
}

// Validate reports whether the Parser's configuration is usable. It returns
// an *Error wrapping ErrUnknownRegion when a region code is not known. Parse,
// ForSMS and ForVoice call it too; hosts may call it once at start-up.
func (p Parser) Validate() error {
	if err := checkRegion(p.defaultRegion()); err != nil {
		return err
	}
	for _, r := range p.AllowedRegions {
		if err := checkRegion(r); err != nil {
			return err
		}
	}
	return nil
}

// checkRegion refuses a region code the phone-number metadata does not know.
func checkRegion(r string) error {
	if phonenumbers.GetCountryCodeForRegion(strings.ToUpper(r)) == 0 {
		return &Error{Err: ErrUnknownRegion, Reason: "region " + quoteRegion(r)}
	}
	return nil
}

// Parse reads a phone number as people type it and returns it in E.164 form
// with its region and line type. It refuses empty and overlong input,
// extensions, numbers that are not valid, and numbers from regions that are
// not allowed. Parse does not judge the line type: use ForSMS or ForVoice
// to check a destination for codes.
func (p Parser) Parse(input string) (Number, error) {
	if err := p.Validate(); err != nil {
		return Number{}, err
	}
	pn, err := parse(input, p.defaultRegion())
	if err != nil {
		return Number{}, err
	}
	n := toNumber(pn)
	if len(n.E164)-1 > maxE164Digits {
		return Number{}, refuse(n, ErrInvalid, "longer than E.164 allows")
	}
	if !p.allows(n.Region) {
		return Number{}, refuse(n, ErrRegionNotAllowed, "region "+quoteRegion(n.Region))
	}
	return n, nil
}

// ForSMS parses a number that is to receive codes by SMS. On top of Parse it
// accepts only mobile numbers. It also accepts FixedOrMobile numbers, because
// libphonenumber reports that type exactly where a mobile number cannot be
// told from a landline, as everywhere in the United States and Canada;
// refusing them would refuse every mobile number there. Fixed lines, VoIP
// and other numbers that cannot receive SMS are refused with ErrNotMobile;
// premium-rate, toll-free, shared-cost and machine-to-machine numbers with
// their own errors.
func (p Parser) ForSMS(input string) (Number, error) {
	n, err := p.Parse(input)
	if err != nil {
		return Number{}, err
	}
	if err := refuseCostly(n); err != nil {
		return Number{}, err
	}
	if n.Type != Mobile && n.Type != FixedOrMobile {
		return Number{}, refuse(n, ErrNotMobile, n.Type.String())
	}
	return n, nil
}

// ForVoice parses a number that is to receive codes by voice call. On top of
// Parse it accepts mobile, fixed-line, fixed-or-mobile and VoIP numbers.
// Premium-rate, toll-free, shared-cost and machine-to-machine numbers are
// refused with their own errors, other line types (such as pagers, personal
// numbers and company numbers) with ErrUnsupportedType.
func (p Parser) ForVoice(input string) (Number, error) {
	n, err := p.Parse(input)
	if err != nil {
		return Number{}, err
	}
	if err := refuseCostly(n); err != nil {
		return Number{}, err
	}
	switch n.Type {
	case Mobile, FixedLine, FixedOrMobile, VoIP:
		return n, nil
	}
	return Number{}, refuse(n, ErrUnsupportedType, n.Type.String())
}

// defaultRegion returns the upper-case default region.
func (p Parser) defaultRegion() string {
	if p.DefaultRegion == "" {
		return defaultRegion
	}
	return strings.ToUpper(p.DefaultRegion)
}

// allows reports whether numbers of region may be accepted.
func (p Parser) allows(region string) bool {
	if len(p.AllowedRegions) == 0 {
		return region == p.defaultRegion()
	}
	return slices.ContainsFunc(p.AllowedRegions, func(r string) bool {
		return strings.EqualFold(r, region)
	})
}

// parse checks the input's length and turns it into a valid number without
// an extension.
func parse(input, region string) (*phonenumbers.PhoneNumber, error) {
	if len(input) > maxInputRunes*utf8.UTFMax || utf8.RuneCountInString(input) > maxInputRunes {
		return nil, &Error{Err: ErrTooLong, Reason: "more than 64 characters"}
	}
	input = strings.TrimSpace(input)
	if input == "" {
		return nil, &Error{Err: ErrEmpty}
	}
	pn, err := phonenumbers.Parse(input, region)
	if err != nil {
		return nil, &Error{Err: ErrInvalid, Reason: parseReason(err)}
	}
	if pn.GetExtension() != "" {
		return nil, &Error{Err: ErrExtension}
	}
	if !phonenumbers.IsValidNumber(pn) {
		return nil, &Error{Err: ErrInvalid, Reason: invalidReason(pn)}
	}
	return pn, nil
}

// toNumber converts a valid libphonenumber number.
func toNumber(pn *phonenumbers.PhoneNumber) Number {
	region := phonenumbers.GetRegionCodeForNumber(pn)
	nsn := phonenumbers.GetNationalSignificantNumber(pn)
	ndc := min(len(nsn), phonenumbers.GetLengthOfNationalDestinationCode(pn))
	return Number{
		E164:        phonenumbers.Format(pn, phonenumbers.E164),
		Region:      region,
		CountryCode: int(pn.GetCountryCode()),
		Type:        lineType(pn, region),
		AreaCode:    nsn[:ndc],
	}
}

// refuseCostly refuses the line types no code may ever go to.
func refuseCostly(n Number) error {
	switch n.Type {
	case PremiumRate:
		return refuse(n, ErrPremiumRate, "")
	case TollFree:
		return refuse(n, ErrTollFree, "")
	case SharedCost:
		return refuse(n, ErrSharedCost, "")
	case MachineToMachine:
		return refuse(n, ErrMachineToMachine, "")
	}
	return nil
}

// refuse returns an *Error about the parsed number n.
func refuse(n Number, sentinel error, reason string) *Error {
	return &Error{Err: sentinel, Reason: reason, Masked: n.Masked()}
}

// parseReason describes a libphonenumber parse error without the input.
func parseReason(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "unknown country code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long"
	}
	return "not a number"
}

// invalidReason describes why a parsed number is not valid.
func invalidReason(pn *phonenumbers.PhoneNumber) string {
	switch phonenumbers.IsPossibleNumberWithReason(pn) {
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "unknown country code"
	case phonenumbers.TOO_SHORT:
		return "too short"
	case phonenumbers.TOO_LONG:
		return "too long"
	case phonenumbers.INVALID_LENGTH:
		return "wrong length"
	}
	return "number range not in use"
}

// quoteRegion quotes a region code for an error message, cutting it short
// so that a misconfigured value cannot flood a log.
func quoteRegion(r string) string {
	if len(r) > 8 {
		r = r[:8]
	}
	return strconv.Quote(r)
}
