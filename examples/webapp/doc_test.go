package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Every exported name of the app has a doc comment in full sentences: the
// exported types, functions, methods, variables and constants, and the
// exported fields of every struct (templates read them by name).
func TestDocComments(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, miss := range undocumented(f) {
			t.Errorf("%s: %s has no doc comment in full sentences", fset.Position(miss.Pos()), miss.Name)
		}
	}
}

// undocumented returns the exported names in f without a doc comment that
// ends a sentence.
func undocumented(f *ast.File) []*ast.Ident {
	var out []*ast.Ident
	check := func(doc *ast.CommentGroup, names ...*ast.Ident) {
		for _, n := range names {
			if n.IsExported() && !sentence(doc) {
				out = append(out, n)
			}
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			check(d.Doc, d.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					check(orDoc(s.Doc, d.Doc), s.Name)
				case *ast.ValueSpec:
					check(orDoc(s.Doc, d.Doc), s.Names...)
				}
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if st, ok := n.(*ast.StructType); ok {
			for _, fl := range st.Fields.List {
				if len(fl.Names) == 0 { // embedded
					if id := embeddedName(fl.Type); id != nil {
						check(fl.Doc, id)
					}
					continue
				}
				check(fl.Doc, fl.Names...)
			}
		}
		return true
	})
	return out
}

func orDoc(a, b *ast.CommentGroup) *ast.CommentGroup {
	if a != nil {
		return a
	}
	return b
}

// embeddedName is the field name of an embedded type.
func embeddedName(e ast.Expr) *ast.Ident {
	switch e := e.(type) {
	case *ast.Ident:
		return e
	case *ast.StarExpr:
		return embeddedName(e.X)
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// sentence reports whether doc is there and ends a sentence.
func sentence(doc *ast.CommentGroup) bool {
	text := strings.TrimSpace(doc.Text())
	return text != "" && strings.ContainsAny(text[len(text)-1:], ".!?:)")
}
