package factor

// DeviceApprover is implemented by factors whose challenges the user
// approves on a device of their own instead of typing a code on the page,
// such as a phone app (package push). Their challenges always run the
// keypad state machine of voice calls: the page shows the digits of
// Sent.ScreenDigits, the device's answer reaches ApproveKeypad (right
// digits approve, wrong ones are a counted failure), the page polls
// ChallengeStatus and completes the approved challenge with one Verify
// and an empty code, which counts against the user like any other answer.
type DeviceApprover interface {
	Challenger
	// ApprovesOnDevice reports whether the factor's challenges are
	// approved on the user's device; a factor that implements the
	// interface returns true.
	ApprovesOnDevice() bool
}

// keypadMode decides whether a challenge of kind k runs in keypad mode:
// always for a DeviceApprover, on request for a voice call, never
// otherwise.
func (m *Manager) keypadMode(k Kind, asked bool) (bool, error) {
	if a, ok := m.factors[k].(DeviceApprover); ok && a.ApprovesOnDevice() {
		return true, nil
	}
	if asked && k != KindVoice {
		return false, &InputError{Field: "keypad", Reason: "only voice calls have a keypad mode"}
	}
	return asked, nil
}
