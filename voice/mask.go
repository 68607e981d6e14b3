package voice

import "github.com/twostep/twostep/factor/phone"

// Mask returns the phone number with most digits hidden, such as
// "+31 20 ••• 4567". It implements factor.Masker.
func (f *Factor) Mask(address string) string { return phone.Mask(address) }
