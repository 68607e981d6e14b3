package email

import "strings"

// Mask returns the address with most of its local part hidden, such as
// "c•••@example.com". It implements factor.Masker.
func (f *Factor) Mask(address string) string {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" {
		return "•••"
	}
	r := []rune(local)
	return string(r[0]) + "•••@" + domain
}
