// Package secretlint finds comparisons that may leak a secret through
// their timing: bytes.Equal anywhere, and == or != between two values whose
// names say they are secrets (secret, code, hash, token, validator, mac).
// Secrets must be compared with crypto/subtle.ConstantTimeCompare or
// crypto/hmac.Equal instead.
//
// It reads source with go/parser alone, without type information, so it
// judges by names: a comparison with a literal, nil, a len(...) or another
// call is never flagged, and what a name wrongly suggests is excused in an
// Allowlist with the reason. Its test runs it over the whole module.
package secretlint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// secretName matches the names of values that hold secrets.
var secretName = regexp.MustCompile(`(?i)secret|code|hash|token|validator|mac`)

// Finding is one comparison that may not run in constant time.
type Finding struct {
	// Pos is where the comparison is.
	Pos token.Position
	// Expr is the comparison as written, such as "a.Hash == h".
	Expr string
	// Reason says why it was flagged.
	Reason string
}

// String formats f as "position: expression: reason", the way the
// compiler reports problems.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Pos, f.Expr, f.Reason)
}

// Allowlist excuses comparisons that only look like secret comparisons.
// Keys are a file path relative to the checked root, with slashes, and the
// comparison as written, joined by a colon: "factor/x.go:a.Code == b.Code".
// Values say why the comparison is harmless.
type Allowlist map[string]string

// Package returns the findings in the parsed files of one package.
func Package(fset *token.FileSet, files []*ast.File) []Finding {
	c := &checker{fset: fset, consts: make(map[string]bool)}
	for _, f := range files {
		for _, d := range f.Decls {
			c.addConsts(d)
		}
	}
	var out []Finding
	for _, f := range files {
		out = append(out, c.file(f)...)
	}
	return out
}

// checker holds what the rules need to know about a package: the names
// of its constants, which hold no secrets.
type checker struct {
	fset    *token.FileSet
	consts  map[string]bool
	imports map[string]bool
}

func (c *checker) addConsts(d ast.Decl) {
	gd, ok := d.(*ast.GenDecl)
	if !ok || gd.Tok != token.CONST {
		return
	}
	for _, spec := range gd.Specs {
		for _, name := range spec.(*ast.ValueSpec).Names {
			c.consts[name.Name] = true
		}
	}
}

func (c *checker) file(f *ast.File) []Finding {
	c.imports = make(map[string]bool)
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil {
			c.imports[importName(f, p)] = true
		}
	}
	bytesName := importName(f, "bytes")
	var out []Finding
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			c.addConsts(n)
		case *ast.CallExpr:
			if bytesName != "" && isCall(n, bytesName, "Equal") {
				out = append(out, c.finding(n, "bytes.Equal does not run in constant time; use crypto/subtle or crypto/hmac"))
			}
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (secretLike(n.X) || secretLike(n.Y)) && c.variable(n.X) && c.variable(n.Y) {
				out = append(out, c.finding(n, n.Op.String()+" on a secret does not run in constant time; use crypto/subtle"))
			}
		}
		return true
	})
	return out
}

// Dir returns the findings in every non-test .go file under root, leaving
// out testdata, vendor and hidden directories and whatever allow excuses.
func Dir(root string, allow Allowlist) ([]Finding, error) {
	fset := token.NewFileSet()
	pkgs := make(map[string][]*ast.File)
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			dirs = append(dirs, path)
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, dir := range dirs {
		for _, fd := range Package(fset, pkgs[dir]) {
			rel, err := filepath.Rel(root, fd.Pos.Filename)
			if err != nil {
				return nil, err
			}
			if _, ok := allow[filepath.ToSlash(rel)+":"+fd.Expr]; !ok {
				out = append(out, fd)
			}
		}
	}
	return out, nil
}

// secretLike reports whether e is a value whose name says it is a secret:
// a name, a field, an element of one, or a conversion of one such as
// string(token). Literals, nil and calls (len(code), f(secret)) are not.
func secretLike(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e.Name != "nil" && secretName.MatchString(e.Name)
	case *ast.SelectorExpr:
		return secretName.MatchString(e.Sel.Name)
	case *ast.IndexExpr:
		return secretLike(e.X)
	case *ast.SliceExpr:
		return secretLike(e.X)
	case *ast.StarExpr:
		return secretLike(e.X)
	case *ast.CallExpr:
		return isConversion(e) && secretLike(e.Args[0])
	}
	return false
}

// isConversion reports whether call converts to string or []byte.
func isConversion(call *ast.CallExpr) bool {
	if len(call.Args) != 1 {
		return false
	}
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		return fun.Name == "string"
	case *ast.ArrayType:
		id, ok := fun.Elt.(*ast.Ident)
		return ok && fun.Len == nil && (id.Name == "byte" || id.Name == "uint8")
	}
	return false
}

// isCall reports whether call calls pkg.name.
func isCall(call *ast.CallExpr, pkg, name string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// importName returns the name under which f imports path, or "".
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err != nil || p != path {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" {
				return ""
			}
			return imp.Name.Name
		}
		return filepath.Base(path)
	}
	return ""
}

func (c *checker) finding(n ast.Node, reason string) Finding {
	var b strings.Builder
	_ = printer.Fprint(&b, token.NewFileSet(), n)
	return Finding{Pos: c.fset.Position(n.Pos()), Expr: b.String(), Reason: reason}
}

// variable reports whether e could hold a secret at all: anything but a
// literal, nil, a constant, a name from another package or a call other
// than a conversion.
func (c *checker) variable(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit, *ast.UnaryExpr, *ast.BinaryExpr, *ast.CompositeLit, *ast.FuncLit:
		return false
	case *ast.Ident:
		return e.Name != "nil" && e.Name != "true" && e.Name != "false" && !c.consts[e.Name]
	case *ast.SelectorExpr:
		id, ok := e.X.(*ast.Ident)
		return !ok || !c.imports[id.Name]
	case *ast.CallExpr:
		return isConversion(e) && c.variable(e.Args[0])
	}
	return true
}
