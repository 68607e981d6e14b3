package bird

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/twostep/twostep/factor/delivery"
)

// classify reads the code of Bird's error answer, {"code": …} or
// {"error": {"code": …}}, and recognises an invalid recipient. The
// message is not kept: it may repeat the phone number.
func classify(status int, raw []byte) (string, error) {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return "", nil
	}
	var inner map[string]json.RawMessage
	if json.Unmarshal(top["error"], &inner) == nil && inner != nil {
		top = inner
	}
	code := token(top["code"])
	if code == "" {
		code = token(top["type"])
	}
	lower := strings.ToLower(code)
	invalid := strings.Contains(lower, "recipient") || strings.Contains(lower, "receiver")
	if invalid && (status == http.StatusBadRequest || status == http.StatusUnprocessableEntity) {
		return code, delivery.ErrInvalidNumber
	}
	return code, nil
}

// token returns a JSON string or number if it is a short identifier, such
// as "InvalidPayload" or "E01001", and "" otherwise.
func token(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return ""
		}
		s = n.String()
	}
	return ident(s)
}

// ident returns s if it is a short identifier, such as "E12020" or
// "SMSNoEligibleSender", and "" otherwise.
func ident(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return ""
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
		if !ok {
			return ""
		}
	}
	return s
}

// uuid reports whether s is a UUID in its canonical text form.
func uuid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return false
		}
	}
	return true
}
