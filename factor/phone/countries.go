package phone

import (
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Country is a region whose numbers a Parser accepts, as a country picker
// offers it.
type Country struct {
	// Region is the ISO 3166-1 alpha-2 code, such as "NL".
	Region string
	// CallingCode is the country calling code, such as 31.
	CallingCode int
}

// Countries returns the regions whose numbers p accepts, for a country
// picker: the default region first (a form preselects it), then the
// others in the order AllowedRegions lists them, each once. A region
// that is allowed but not read by default is still listed, and a default
// region that is not allowed is left out. It returns nil when p is not
// valid (see Validate).
func (p Parser) Countries() []Country {
	if p.Validate() != nil {
		return nil
	}
	regions := []string{p.defaultRegion()}
	for _, r := range p.AllowedRegions {
		regions = append(regions, strings.ToUpper(r))
	}
	var out []Country
	for _, r := range regions {
		if !p.allows(r) || slices.ContainsFunc(out, func(c Country) bool { return c.Region == r }) {
			continue
		}
		out = append(out, Country{Region: r, CallingCode: phonenumbers.GetCountryCodeForRegion(r)})
	}
	return out
}
