package recovery

import (
	"errors"
	"io"

	"github.com/twostep/twostep/internal/crockford"
)

// errRepeats reports a random source that keeps producing the same code.
var errRepeats = errors.New("recovery: random source repeats itself")

// newSet returns count distinct codes of n characters from r.
func newSet(r io.Reader, count, n int) ([]string, error) {
	codes := make([]string, 0, count)
	seen := make(map[string]bool, count)
	for tries := 0; len(codes) < count; tries++ {
		if tries >= 4*count {
			return nil, errRepeats
		}
		code, err := crockford.Generate(r, n)
		if err != nil {
			return nil, err
		}
		if !seen[code] {
			seen[code] = true
			codes = append(codes, code)
		}
	}
	return codes, nil
}
