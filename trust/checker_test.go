package trust_test

import (
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/trust"
)

// Devices plugs into factor.StatusRequest.Devices.
var _ factor.DeviceChecker = (*trust.Devices)(nil)
