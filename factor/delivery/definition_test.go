package delivery_test

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOneDefinition fails when a package of the module other than this one
// declares a variable with the name of one of this package's reasons, as
// the sender packages once did with aliases and copies of their own.
func TestOneDefinition(t *testing.T) {
	names := map[string]bool{}
	for _, n := range packageVars(t, "errors.go") {
		names[n] = true
	}
	require.Contains(t, names, "ErrUnavailable")

	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	here, err := filepath.Abs(".")
	require.NoError(t, err)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == here || path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		for _, n := range packageVars(t, path) {
			assert.False(t, names[n], "%s declares %s; use delivery.%s", path, n, n)
		}
		return nil
	})
	require.NoError(t, err)
}

// packageVars returns the names of the package-level variables of a file.
func packageVars(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(gotoken.NewFileSet(), path, nil, parser.SkipObjectResolution)
	require.NoError(t, err)
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != gotoken.VAR {
			continue
		}
		for _, s := range g.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				names = append(names, n.Name)
			}
		}
	}
	return names
}
