package recovery

import "github.com/twostep/twostep/factor"

// Defaults and limits of a Config.
const (
	defaultCount     = 10
	defaultGroups    = 4
	defaultGroupSize = 4
	maxCount         = 50
	minBits          = 60
	maxSymbols       = 32 // 160 bits; a formatted code stays within maxInput
)

// LowRemaining is the number of unused codes at or below which a user is
// running low and should be asked to generate a new set.
const LowRemaining = 3

// Config sets the shape of recovery codes. The zero Config gives 10 codes of
// 16 characters in 4 groups of 4 (80 bits each). The shorter look some services print,
// three groups of four such as 2E7G-XZX8-C8MW, is Config{Groups: 3}: 60
// bits, the least New accepts.
type Config struct {
	// Count is the number of codes in a set. Zero means 10; 1 to 50.
	Count int
	// Groups is the number of dash-separated groups in a code. Zero means 4.
	Groups int
	// GroupSize is the number of characters in a group. Zero means 4.
	// Every character carries 5 bits; Groups*GroupSize*5 must be at least
	// 60 and Groups*GroupSize at most 32.
	GroupSize int
}

func (c Config) withDefaults() Config {
	if c.Count == 0 {
		c.Count = defaultCount
	}
	if c.Groups == 0 {
		c.Groups = defaultGroups
	}
	if c.GroupSize == 0 {
		c.GroupSize = defaultGroupSize
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.Count < 1 || c.Count > maxCount:
		return &factor.ConfigError{Field: "recovery.Config.Count", Reason: "must be 1 to 50"}
	case c.Groups < 1:
		return &factor.ConfigError{Field: "recovery.Config.Groups", Reason: "must be positive"}
	case c.GroupSize < 1:
		return &factor.ConfigError{Field: "recovery.Config.GroupSize", Reason: "must be positive"}
	case c.symbols()*bitsPerSymbol < minBits:
		return &factor.ConfigError{Field: "recovery.Config.GroupSize", Reason: "codes must carry at least 60 bits (12 characters)"}
	case c.symbols() > maxSymbols:
		return &factor.ConfigError{Field: "recovery.Config.GroupSize", Reason: "codes must not be longer than 32 characters"}
	}
	return nil
}

// symbols is the number of characters in a code, without dashes.
func (c Config) symbols() int { return c.Groups * c.GroupSize }
