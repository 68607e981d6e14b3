package phone

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUserMessageCoversEverySentinel(t *testing.T) {
	for _, err := range []error{ErrEmpty, ErrTooLong, ErrInvalid, ErrExtension, ErrRegionNotAllowed, ErrUnknownRegion,
		ErrNotMobile, ErrUnsupportedType, ErrPremiumRate, ErrTollFree, ErrSharedCost, ErrMachineToMachine} {
		e := &Error{Err: err, Masked: "+31 6 •••• 5678"}
		nl, en := e.UserMessage("nl"), e.UserMessage("en")
		assert.NotEmpty(t, nl, err)
		assert.NotEmpty(t, en, err)
		assert.NotEqual(t, nl, en, err)
		_, ok := userTexts[err]
		assert.True(t, ok, "no text for %v", err)
	}
	_, err := Parser{}.ForSMS("0900-1234567")
	var pe *Error
	assert.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.UserMessage("nl"), "0900")
}

func TestMask(t *testing.T) {
	assert.Equal(t, "+31 6 •••• 5678", Mask("+31612345678"))
	assert.Equal(t, "+32 470 ••• 456", Mask("+32470123456"))
	assert.Equal(t, "•••• 90", Mask("garbage7890"))
	assert.Equal(t, "••••", Mask("+31"))
}
