package message_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// informal matches the Dutch words of the informal form of address.
var informal = regexp.MustCompile(`(?i)\b(je|jij|jou|jouw|jezelf|jullie)\b`)

// formal matches the formal ones, to show the scan read Dutch texts.
var formal = regexp.MustCompile(`\b(u|uw|U|Uw)\b`)

// TestOneFormOfAddress reads every text a user may see in the repository
// (pages, messages, user messages, golden files, docs) and finds the
// formal Dutch form of address only: pages, SMS, voice calls and emails
// address a person the same way. A host that prefers the informal form
// supplies its own templates and texts.
func TestOneFormOfAddress(t *testing.T) {
	root := filepath.Join("..", "..")
	formalSeen := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "fuzz":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".txt", ".html", ".json", ".golden", ".md", ".js", ".tmpl":
		default:
			return nil
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil // tests may feed a host's own wording
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if w := informal.FindString(line); w != "" {
				t.Errorf("%s:%d: informal %q: %s", path, i+1, w, strings.TrimSpace(line))
			}
		}
		formalSeen[filepath.ToSlash(path)] += len(formal.FindAllString(string(b), -1))
		return nil
	})
	require.NoError(t, err)
	for _, p := range []string{"internal/message/templates/nl/sms.txt", "factor/texts.go", "examples/webapp/lang/nl.json"} {
		assert.Positive(t, formalSeen["../../"+p], "%s was read and addresses the user formally", p)
	}
}
