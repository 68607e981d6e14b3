package secretlint_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/internal/secretlint"
)

// allow excuses what only looks like a secret comparison in the module.
var allow = secretlint.Allowlist{
	"factor/memstore/challenge.go:bytes.Equal(stored.CodeHash, c.CodeHash)": "decides whether an update must copy the hash; both sides come from the Manager, no answer depends on it",
	"factor/memstore/enrollment.go:bytes.Equal(stored, b)":                  "decides whether an update must copy the sealed secret; no answer depends on it",
}

// TestModule runs the rules over every non-test file of the module.
func TestModule(t *testing.T) {
	findings, err := secretlint.Dir("../..", allow)
	require.NoError(t, err)
	for _, f := range findings {
		t.Errorf("%s", f)
	}
}

func check(t *testing.T, src string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", "package x\n"+src, 0)
	require.NoError(t, err)
	var out []string
	for _, fd := range secretlint.Package(fset, []*ast.File{f}) {
		out = append(out, fd.Expr)
	}
	return out
}

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{`import "bytes"; func f(a, b []byte) bool { return bytes.Equal(a, b) }`, []string{"bytes.Equal(a, b)"}},
		{`import b2 "bytes"; func f(a, b []byte) bool { return b2.Equal(a, b) }`, []string{"b2.Equal(a, b)"}},
		{`func f(code, want string) bool { return code == want }`, []string{"code == want"}},
		{`func f(x, y []byte) bool { return string(x.Hash) != string(y) }`, []string{"string(x.Hash) != string(y)"}},
		{`func f(t *T, v []byte) bool { return t.Validator[0] == v[0] }`, []string{"t.Validator[0] == v[0]"}},
		{`func f(m, n string) bool { return (m) == (*n.MAC) }`, []string{"(m) == (*n.MAC)"}},
		{`func f(tokenA, tokenB string) bool { return tokenA == tokenB }`, []string{"tokenA == tokenB"}},
		// Not secrets, or not compared with a value.
		{`func f(a, b string) bool { return a == b }`, nil},
		{`func f(code string) bool { return code == "" || code != "x" }`, nil},
		{`func f(code []byte) bool { return code == nil || len(code) == 6 }`, nil},
		{`func f(code string) bool { return code[0] == '-' }`, nil},
		{`const codeLen = 6; func f(n int) bool { return n == codeLen }`, nil},
		{`import "net/http"; func f(r *R) bool { return r.StatusCode == http.StatusOK }`, nil},
		{`func f(h Hasher, x string) bool { return h.Sum(x) == Sum(x) }`, nil},
		{`import "crypto/subtle"; func f(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }`, nil},
		{`func f(a, b []byte) bool { return Equal(a, b) }`, nil},
	} {
		assert.Equal(t, tc.want, check(t, tc.src), tc.src)
	}
}

func TestDirSkipsTestsAndTestdata(t *testing.T) {
	findings, err := secretlint.Dir("testdata", nil)
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, "a.Token == b.Token", findings[0].Expr)
	assert.Equal(t, 5, findings[0].Pos.Line)

	excused, err := secretlint.Dir("testdata", secretlint.Allowlist{"pkg/a.go:a.Token == b.Token": "a test"})
	require.NoError(t, err)
	assert.Empty(t, excused)
}

func Example() {
	src := `package login

func ok(typed, token string) bool { return typed == token }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "login.go", src, 0)
	if err != nil {
		panic(err)
	}
	for _, fd := range secretlint.Package(fset, []*ast.File{f}) {
		fmt.Println(fd)
	}
	// Output:
	// login.go:3:44: typed == token: == on a secret does not run in constant time; use crypto/subtle
}
