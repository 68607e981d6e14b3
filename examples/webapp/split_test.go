package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twostepFiles are the files that call twostep: construction and the
// connections to the world outside (wiring.go), the second step at login
// and the request's one Status (login.go), the setup wizard (setup.go,
// setup_phone.go), the settings (settings.go) and the admin page
// (admin.go), passkeys (passkey.go), the phone app (push.go) and the
// email link of a number change (setup_link.go). Every other non-test
// file is the app's scaffolding.
var twostepFiles = []string{"wiring.go", "login.go", "setup.go", "setup_phone.go", "setup_link.go", "settings.go", "admin.go", "passkey.go", "push.go"}

// module is the import path of twostep.
const module = "github.com/twostep/twostep"

// A scaffolding file says so in its first line, a comment apart from the
// package documentation, and does not call twostep: it imports no package
// of twostep but factor, and factor only to name its types where a
// declaration needs them (the type of a struct field, a parameter, a
// result, a variable or a type), never for a call, a conversion, a
// composite literal, a type assertion or a value such as an error; and it
// does not touch the App's twostep values (the fields of twostepParts).
// The files that call twostep exist, import twostep, and are not labelled
// as scaffolding.
func TestScaffoldingDoesNotCallTwostep(t *testing.T) {
	parts := partsFields(t)
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		if slices.Contains(twostepFiles, name) {
			assert.False(t, labelled(fset, f), "%s calls twostep but is labelled as scaffolding", name)
			assert.NotEmpty(t, twostepImports(f), "%s is listed in twostepFiles but does not import twostep", name)
			continue
		}
		assert.True(t, labelled(fset, f), "%s: the first line is not a \"// Scaffolding:\" comment apart from the package doc", name)
		for _, v := range twostepUses(fset, f, parts) {
			t.Errorf("%s: scaffolding uses twostep: %s", name, v)
		}
	}
	for _, name := range twostepFiles {
		assert.FileExists(t, name)
	}
}

// The check itself finds each kind of use it forbids, and lets type names
// in declarations pass.
func TestTwostepUses(t *testing.T) {
	parts := map[string]bool{"m": true, "devices": true}
	for _, tc := range []struct {
		name, src string
		uses      int
	}{
		{"no import", `func f(a *App) {}`, 0},
		{"field, parameter, result and variable types", `import "github.com/twostep/twostep/factor"
			type T struct{ P factor.Policy; L []factor.EnrollmentInfo }
			var v map[string]*factor.Status
			func f(k factor.Kind) (factor.Message, error) { var x factor.Sent; _ = x; return factor.Message{}, nil }`, 1},
		{"a call", `import "github.com/twostep/twostep/factor"
			func f(err error) string { return factor.UserMessage(err, "nl") }`, 1},
		{"a sentinel error", `import "github.com/twostep/twostep/factor"
			var e = factor.ErrInvalidCode`, 1},
		{"a conversion", `import "github.com/twostep/twostep/factor"
			func f(s string) any { return factor.Kind(s) }`, 1},
		{"a composite literal", `import "github.com/twostep/twostep/factor"
			var s = &factor.ConsoleSender{}`, 1},
		{"a renamed import", `import f2 "github.com/twostep/twostep/factor"
			var e = f2.ErrLocked`, 1},
		{"another twostep package", `import "github.com/twostep/twostep/totp"
			type T struct{ F *totp.Factor }`, 1},
		{"a blank import", `import _ "github.com/twostep/twostep/factor"`, 1},
		{"the Manager", `func f(a *App) { a.m.Skip(nil, "", time.Time{}) }`, 1},
		{"trusted devices", `func f(a *App) any { return a.devices }`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", "package main\n"+tc.src, 0)
			require.NoError(t, err)
			assert.Len(t, twostepUses(fset, f, parts), tc.uses)
		})
	}
}

// labelled reports whether f's first line is a "// Scaffolding:" comment
// that is not the package documentation.
func labelled(fset *token.FileSet, f *ast.File) bool {
	if len(f.Comments) == 0 || f.Comments[0] == f.Doc {
		return false
	}
	c := f.Comments[0].List[0]
	return fset.Position(c.Pos()).Line == 1 && strings.HasPrefix(c.Text, "// Scaffolding:")
}

// partsFields returns the names of the fields of twostepParts, the App's
// twostep values, from wiring.go.
func partsFields(t *testing.T) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "wiring.go", nil, 0)
	require.NoError(t, err)
	out := make(map[string]bool)
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "twostepParts" {
			for _, fl := range ts.Type.(*ast.StructType).Fields.List {
				for _, id := range fl.Names {
					out[id.Name] = true
				}
			}
		}
		return true
	})
	require.NotEmpty(t, out, "no struct twostepParts in wiring.go")
	return out
}

// twostepImports maps the name each twostep package is imported under to
// its path.
func twostepImports(f *ast.File) map[string]string {
	out := make(map[string]string)
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path != module && !strings.HasPrefix(path, module+"/") {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		out[name] = path
	}
	return out
}

// twostepUses describes each use of twostep in f that scaffolding may not
// make (see TestScaffoldingDoesNotCallTwostep).
func twostepUses(fset *token.FileSet, f *ast.File, parts map[string]bool) []string {
	var out []string
	factorName := ""
	for name, path := range twostepImports(f) {
		switch {
		case path != module+"/factor":
			out = append(out, "imports "+path)
		case name == "_" || name == ".":
			out = append(out, "imports factor as "+name)
		default:
			factorName = name
		}
	}
	inType := typeSelectors(f)
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pos := fset.Position(sel.Pos()).String()
		if x, ok := sel.X.(*ast.Ident); ok && factorName != "" && x.Name == factorName && !inType[sel] {
			out = append(out, pos+": "+x.Name+"."+sel.Sel.Name+" outside a declaration's type")
		}
		if parts[sel.Sel.Name] {
			out = append(out, pos+": ."+sel.Sel.Name+", one of the App's twostep values")
		}
		return true
	})
	return out
}

// typeSelectors returns the qualified names (pkg.Name) that f uses as the
// type of a struct field, parameter, result, variable or declared type.
func typeSelectors(f *ast.File) map[*ast.SelectorExpr]bool {
	out := make(map[*ast.SelectorExpr]bool)
	mark := func(e ast.Node) {
		if e == nil {
			return
		}
		ast.Inspect(e, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				out[sel] = true
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			mark(n.Type)
		case *ast.ValueSpec:
			if n.Type != nil {
				mark(n.Type)
			}
		case *ast.TypeSpec:
			mark(n.Type)
		}
		return true
	})
	return out
}
