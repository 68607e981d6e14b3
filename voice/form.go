package voice

import (
	"errors"
	"net/http"
)

// Limits of a keypad callback's fields. Challenge IDs are 26 characters;
// keypad mode asks for at most 6 digits.
const (
	maxChallengeID = 64
	maxDigits      = 16
)

// keypadForm is what a keypad callback carries.
type keypadForm struct {
	challenge string
	digits    string
}

// parseKeypadForm reads the challenge ID (query or form parameter
// "challenge") and the typed digits (form field "Digits"). Each must occur
// exactly once; the ID may hold only letters, digits, '-' and '_', the
// digits only ASCII digits. Its errors never contain the input.
func parseKeypadForm(r *http.Request) (keypadForm, error) {
	if err := r.ParseForm(); err != nil {
		return keypadForm{}, errors.New("voice: unreadable form")
	}
	challenge, err := single(r.Form["challenge"], "challenge")
	if err != nil {
		return keypadForm{}, err
	}
	digits, err := single(r.PostForm["Digits"], "Digits")
	if err != nil {
		return keypadForm{}, err
	}
	if len(challenge) > maxChallengeID || !isID(challenge) {
		return keypadForm{}, errors.New("voice: malformed challenge")
	}
	if len(digits) > maxDigits || !isDigits(digits) {
		return keypadForm{}, errors.New("voice: malformed Digits")
	}
	return keypadForm{challenge: challenge, digits: digits}, nil
}

// single returns the one non-empty value of a parameter.
func single(values []string, name string) (string, error) {
	if len(values) != 1 || values[0] == "" {
		return "", errors.New("voice: want exactly one " + name)
	}
	return values[0], nil
}

func isID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
