package factor_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/internal/message/messagetest"
)

// TestUserTextsGolden keeps every text for people, in Dutch and English,
// in a golden file, so that a change of wording is a reviewed change
// (go test -update rewrites them).
func TestUserTextsGolden(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		texts := factor.BuiltinTexts(lang).Texts
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(texts)) {
			fmt.Fprintf(&b, "%s: %s\n", k, texts[k])
		}
		messagetest.Golden(t, "usertexts."+lang, b.String(), *update)
	}
}
