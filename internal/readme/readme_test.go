package readme

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snippets pairs each README section whose Go snippet must compile with the
// Example that contains it.
var snippets = []struct {
	section string // the "## " or "### " heading
	file    string // relative to the module root
	example string // the Example function's name
}{
	{"Authenticator apps", "factor/example_test.go", "Example"},
	{"Recovery codes", "recovery/example_test.go", "Example"},
	{"Remember this device", "trust/example_test.go", "Example"},
	{"Senders", "internal/integration/factor/example_router_test.go", "ExampleRouter"},
	{"Policy", "factor/example_policy_test.go", "Example_policy"},
	{"Passkeys and security keys", "passkey/example_test.go", "Example"},
	{"Keys from the environment", "factor/example_helpers_test.go", "ExampleLoadKeys"},
	{"Errors in HTTP handlers", "factor/example_helpers_test.go", "ExampleReplyFor"},
	{"Other languages", "factor/example_helpers_test.go", "ExampleNewTexts"},
	{"Telling users of changes", "email/example_notices_test.go", "ExampleNotices"},
	{"Approve on your phone", "push/example_test.go", "Example"},
}

// TestSnippetsAreExamples checks that every non-blank line of each
// snippet, trimmed, appears in its Example in the same order: the Example
// may add lines (error checks, output) between them, but the README shows
// nothing the compiler has not seen.
func TestSnippetsAreExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snippets {
		t.Run(s.section, func(t *testing.T) {
			snippet := goBlock(t, string(readme), s.section)
			body := exampleLines(t, filepath.Join("..", "..", s.file), s.example)
			i := 0
			for n, line := range snippet {
				for i < len(body) && body[i] != line {
					i++
				}
				if i == len(body) {
					t.Fatalf("README.md %q line %d is not in %s %s (after the lines before it):\n\t%s",
						s.section, n+1, s.file, s.example, line)
				}
				i++
			}
		})
	}
}

// goBlock returns the non-blank lines, trimmed, of the first ```go block
// after the heading "## section" or "### section", before the next
// heading.
func goBlock(t *testing.T, readme, section string) []string {
	t.Helper()
	var lines []string
	inSection, inBlock := false, false
	sc := bufio.NewScanner(strings.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inBlock && strings.TrimSpace(line) == "```":
			if len(lines) == 0 {
				t.Fatalf("README.md section %q: the go block is empty", section)
			}
			return lines
		case inBlock:
			if l := strings.TrimSpace(line); l != "" {
				lines = append(lines, l)
			}
		case line == "## "+section || line == "### "+section:
			inSection = true
		case inSection && (strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "### ")):
			t.Fatalf("README.md section %q has no go block", section)
		case inSection && strings.TrimSpace(line) == "```go":
			inBlock = true
		}
	}
	if !inSection {
		t.Fatalf("README.md has no section %q", section)
	}
	t.Fatalf("README.md section %q: no complete go block", section)
	return nil
}

// exampleLines returns the non-blank lines, trimmed, of the function name
// in the Go file path.
func exampleLines(t *testing.T, path, name string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Name.Name != name || fn.Body == nil {
			continue
		}
		text := string(src[fset.Position(fn.Body.Lbrace).Offset:fset.Position(fn.Body.Rbrace).Offset])
		var lines []string
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		return lines
	}
	t.Fatalf("%s has no func %s", path, name)
	return nil
}

// TestManagerMethodsInREADME fails when the Manager has a method that the
// README neither shows in a snippet (m.Name() nor names (`Name`): every
// method of the Manager is host API, and hosts learn it there.
func TestManagerMethodsInREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "..", "factor", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			if id, ok := star.X.(*ast.Ident); !ok || id.Name != "Manager" {
				continue
			}
			n++
			name := fn.Name.Name
			if !strings.Contains(string(readme), "m."+name+"(") && !strings.Contains(string(readme), "`"+name+"`") {
				t.Errorf("Manager.%s is in neither a README snippet nor its text", name)
			}
		}
	}
	if n < 10 {
		t.Fatalf("found only %d methods of Manager", n)
	}
}
