package delivery_test

import "github.com/twostep/twostep/factor/delivery"

// reasons are all the sentinels of package delivery.
var reasons = []error{
	delivery.ErrInvalidNumber, delivery.ErrLandline, delivery.ErrInvalidAddress, delivery.ErrUnregistered,
	delivery.ErrRegionNotPermitted, delivery.ErrOptedOut, delivery.ErrThrottled, delivery.ErrUnauthorized,
	delivery.ErrSenderInvalid, delivery.ErrRefused, delivery.ErrUnavailable, delivery.ErrUnsupported,
}
