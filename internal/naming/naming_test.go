package naming

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onPurpose are the exported type names that every package may have its
// own of.
var onPurpose = []string{"Config", "Error", "Factor", "Handler", "Sender", "Store"}

// TestTypeNamesAreUnique fails when two public packages export a type of
// the same name outside onPurpose: a reader who meets the name should know
// which idea it stands for.
func TestTypeNamesAreUnique(t *testing.T) {
	owners := exportedTypes(t, filepath.Join("..", ".."))
	require.Contains(t, owners, "Manager", "the walk found the factor package")
	for name, pkgs := range owners {
		if len(pkgs) > 1 && !slices.Contains(onPurpose, name) {
			t.Errorf("type %s is exported by %s: give each idea its own name", name, strings.Join(pkgs, " and "))
		}
	}
}

// TestDuplicateIsFound makes sure the walk would see a duplicate.
func TestDuplicateIsFound(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"a", "b", "internal/c", "examples/d"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, dir), 0o755))
		src := "package " + filepath.Base(dir) + "\n\n// Thing is a thing.\ntype Thing struct{}\n\n// Config is config.\ntype Config struct{}\n"
		require.NoError(t, os.WriteFile(filepath.Join(root, dir, "x.go"), []byte(src), 0o644))
	}
	owners := exportedTypes(t, root)
	assert.Equal(t, []string{"a", "b"}, owners["Thing"])
	assert.Equal(t, []string{"a", "b"}, owners["Config"])
}

// exportedTypes maps each exported type name declared in the non-test
// files of the public packages under root (neither internal nor examples)
// to the packages that declare it, sorted.
func exportedTypes(t *testing.T, root string) map[string][]string {
	t.Helper()
	owners := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (name == "internal" || name == "examples" || name == "testdata" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg, _ := filepath.Rel(root, filepath.Dir(path))
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if ts.Name.IsExported() && !slices.Contains(owners[ts.Name.Name], pkg) {
					owners[ts.Name.Name] = append(owners[ts.Name.Name], filepath.ToSlash(pkg))
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	for _, pkgs := range owners {
		sort.Strings(pkgs)
	}
	return owners
}
