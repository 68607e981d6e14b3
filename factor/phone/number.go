package phone

import (
	"strconv"
	"strings"
)

// Number is a valid phone number in E.164 form with its region and line
// type. Hosts store E164; parsing it again gives the same Number.
type Number struct {
	// E164 is the number in E.164 form, such as "+31612345678".
	E164 string
	// Region is the ISO 3166-1 alpha-2 code of the region the number
	// belongs to, such as "NL". Numbers that share a country code are told
	// apart: +1 876 numbers are "JM", not "US".
	Region string
	// CountryCode is the country calling code, such as 31.
	CountryCode int
	// Type is the kind of line the number belongs to.
	Type LineType
	// AreaCode is the national destination code: the area code of a
	// landline ("20" for Amsterdam) or the prefix of a mobile number ("6"
	// in the Netherlands); empty when the numbering plan has none.
	AreaCode string
}

// String returns the number in E.164 form.
func (n Number) String() string {
	return n.E164
}

// Masked returns the number with most digits hidden, for showing to a user
// which number a code went to, and for logs and errors. The format is the
// country code, the area code (or mobile prefix), bullets for the hidden
// digits and the last four digits, separated by spaces: "+31 6 •••• 5678"
// for +31612345678 and "+31 20 ••• 4567" for +31201234567, so that a
// person recognises a landline by its area code. At least three digits
// always stay hidden: a long area code or a short number shows fewer
// trailing digits. A Number without AreaCode shows the first digit of
// the national number in its place. Masked returns "" for the zero Number.
func (n Number) Masked() string {
	cc := strconv.Itoa(n.CountryCode)
	nsn, ok := strings.CutPrefix(n.E164, "+"+cc)
	if !ok || nsn == "" {
		return ""
	}
	area := n.AreaCode
	if area == "" || !strings.HasPrefix(nsn, area) || len(nsn)-len(area) < minHidden {
		area = nsn[:1]
	}
	rest := nsn[len(area):]
	tail := max(0, min(4, len(rest)-minHidden))
	masked := "+" + cc + " " + area + " " + strings.Repeat("•", max(minHidden, len(rest)-tail))
	if tail > 0 {
		masked += " " + rest[len(rest)-tail:]
	}
	return masked
}

// minHidden is how many digits Masked hides at least.
const minHidden = 3

// Mask returns the masked form of a number already in E.164 form, such as
// an enrollment's stored address, whatever the allowed regions. Anything
// that does not parse as a valid number is masked to bullets and its last
// two characters.
func Mask(e164 string) string {
	if pn, err := parse(e164, "ZZ"); err == nil {
		return toNumber(pn).Masked()
	}
	if len(e164) <= 4 {
		return "••••"
	}
	return "•••• " + e164[len(e164)-2:]
}
