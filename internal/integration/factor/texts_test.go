package factor_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/phone"
)

// declaredErrors parses the non-test Go files of dir and returns the names
// of the exported package-level variables whose names start with Err.
func declaredErrors(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var names []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if strings.HasPrefix(n.Name, "Err") && n.IsExported() {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestEveryErrorHasUserTexts walks every sentinel error that factor and
// factor/phone declare, found in their source so that a new one cannot be
// forgotten, and wants a specific Dutch and English text for each that a
// person can meet, as the error the Manager returns.
func TestEveryErrorHasUserTexts(t *testing.T) {
	// What a person meets for each sentinel: typed errors where the
	// Manager returns those, the sentinel itself otherwise. Errors only a
	// host developer meets map to nil.
	met := map[string]error{
		"ErrInvalidCode":        factor.ErrInvalidCode,
		"ErrLocked":             &factor.LockedError{RetryAfter: 15 * time.Minute},
		"ErrNotFound":           factor.ErrNotFound,
		"ErrConflict":           nil, // retried or turned into ErrInvalidCode by the Manager
		"ErrMalformed":          factor.ErrMalformed,
		"ErrUnknownKind":        factor.ErrUnknownKind,
		"ErrRateLimited":        &factor.RateLimitError{Scope: "resend", RetryAfter: 30 * time.Second},
		"ErrNotAllowed":         factor.ErrNotAllowed,
		"ErrInvalidConfig":      nil, // NewManager's, for the host
		"ErrDelivery":           factor.ErrDelivery,
		"ErrSealed":             factor.ErrSealed,
		"ErrNoActivationCode":   factor.ErrNoActivationCode,
		"ErrActivationExpired":  factor.ErrActivationExpired,
		"ErrActivationUsed":     factor.ErrActivationUsed,
		"ErrActivationRequired": factor.ErrActivationRequired,
		"ErrLastEnrollment":     factor.ErrLastEnrollment,
		"ErrStepUpRequired":     factor.ErrStepUpRequired,
		"ErrChallengeMismatch":  factor.ErrChallengeMismatch,
		"ErrChallengeRequired":  factor.ErrChallengeRequired,
		"ErrTooManyPending":     factor.ErrTooManyPending,
		"ErrRequired":           factor.ErrRequired,
		"ErrEmailFallback":      factor.ErrEmailFallback,
		"ErrKindNotOffered":     factor.ErrKindNotOffered,
		"ErrNotConfirmed":       factor.ErrNotConfirmed,
		"ErrLinkRequired":       factor.ErrLinkRequired,
		"ErrLinkInvalid":        factor.ErrLinkInvalid,
		"ErrNoAccountEmail":     factor.ErrNoAccountEmail,
	}
	metPhone := map[string]error{
		"ErrEmpty":            &phone.Error{Err: phone.ErrEmpty},
		"ErrTooLong":          &phone.Error{Err: phone.ErrTooLong},
		"ErrInvalid":          &phone.Error{Err: phone.ErrInvalid},
		"ErrExtension":        &phone.Error{Err: phone.ErrExtension},
		"ErrRegionNotAllowed": &phone.Error{Err: phone.ErrRegionNotAllowed},
		"ErrUnknownRegion":    nil, // a Parser configuration error, for the host
		"ErrNotMobile":        &phone.Error{Err: phone.ErrNotMobile},
		"ErrUnsupportedType":  &phone.Error{Err: phone.ErrUnsupportedType},
		"ErrPremiumRate":      &phone.Error{Err: phone.ErrPremiumRate},
		"ErrTollFree":         &phone.Error{Err: phone.ErrTollFree},
		"ErrSharedCost":       &phone.Error{Err: phone.ErrSharedCost},
		"ErrMachineToMachine": &phone.Error{Err: phone.ErrMachineToMachine},
	}
	generic := map[string]bool{factor.UserMessage(errors.New("x"), "nl"): true, factor.UserMessage(errors.New("x"), "en"): true}
	for _, pkg := range []struct {
		dir string
		met map[string]error
	}{{filepath.Join("..", "..", "..", "factor"), met}, {filepath.Join("..", "..", "..", "factor", "phone"), metPhone}} {
		declared := declaredErrors(t, pkg.dir)
		require.ElementsMatch(t, declared, mapKeys(pkg.met), "every declared sentinel of %s is in this table", pkg.dir)
		texts := map[string]string{}
		for _, name := range declared {
			err := pkg.met[name]
			if err == nil {
				continue
			}
			nl, en := factor.UserMessage(err, "nl-NL,nl;q=0.9"), factor.UserMessage(err, "en-GB")
			assert.False(t, generic[nl] || generic[en], "%s has only the generic text", name)
			assert.NotEqual(t, nl, en, "%s has no Dutch text", name)
			if prev, dup := texts[en]; dup {
				t.Errorf("%s and %s share the text %q", prev, name, en)
			}
			texts[en] = name
		}
	}
}

func mapKeys(m map[string]error) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func TestUserMessageWaits(t *testing.T) {
	tests := []struct {
		wait   time.Duration
		nl, en string
	}{
		{500 * time.Millisecond, "1 seconde", "1 second"},
		{20 * time.Second, "20 seconden", "20 seconds"},
		{30 * time.Second, "30 seconden", "30 seconds"},
		{time.Minute, "1 minuut", "1 minute"},
		{14*time.Minute + time.Second, "15 minuten", "15 minutes"},
		{3 * time.Hour, "3 uur", "3 hours"},
	}
	for _, tt := range tests {
		for _, scope := range []string{"resend", "destination"} {
			err := &factor.RateLimitError{Scope: scope, RetryAfter: tt.wait}
			assert.Contains(t, factor.UserMessage(err, "nl"), "over "+tt.nl+" ", tt.wait)
			assert.Contains(t, factor.UserMessage(err, "en"), "in "+tt.en+",", tt.wait)
			assert.Contains(t, factor.UserMessage(err, "en"), "another method", "a refusal offers another method")
			assert.Contains(t, factor.UserMessage(err, "nl"), "andere methode")
		}
	}
	assert.Empty(t, factor.UserMessage(nil, "nl"), "no error, no text")
}
