package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAPI fails when the exported API of a public package differs from its
// file in api/: an API change must come with the regenerated file (and a
// CHANGELOG line), so that it shows in review.
func TestAPI(t *testing.T) {
	root := filepath.Join("..", "..")
	got, err := Generate(root)
	require.NoError(t, err)
	want, err := Read(root)
	require.NoError(t, err)
	if d := Diff(want, got); d != "" {
		t.Fatalf("the exported API differs from api/:\n%s", d)
	}
}

func TestPackageAPI(t *testing.T) {
	api, err := moduleAPI(filepath.Join("testdata", "apitest"), "example.com/apitest", "example.com/apitest/")
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"pkg.txt": {
		`const Fast Mode = 0`,
		`const Greeting untyped string = "hello"`,
		`const Slow Mode = 1`,
		`func Map[T any]([]T, func(T) T) []T`,
		`func New(...string) *Thing`,
		`method (*Thing) Close() error`,
		`method (Base) Name() string`,
		`method (Thing) Name() string`,
		`type Base struct`,
		`type Base struct, ID string`,
		`type Func func(string, ...int) (int, error)`,
		`type Mode int`,
		`type Reader = io.Reader`,
		`type Sealed interface`,
		`type Sealed interface, Done(context.Context) bool`,
		`type Sealed interface, Read([]byte) (int, error)`,
		`type Sealed interface, unexported methods`,
		`type Thing struct`,
		`type Thing struct, Count int`,
		`type Thing struct, Hook func(context.Context, int) error`,
		`type Thing struct, embedded Base`,
		`var ErrNope error`,
	}}, api)
}

func TestDiff(t *testing.T) {
	files := map[string][]string{
		"a.txt": {"func F(int) error", "type T struct"},
		"b.txt": {"func G()"},
	}
	tests := []struct {
		name string
		code map[string][]string
		want string
	}{
		{"equal", files, ""},
		{"changed signature", map[string][]string{
			"a.txt": {"func F(int, string) error", "type T struct"},
			"b.txt": {"func G()"},
		}, "api/a.txt differs from the code:\n-\tfunc F(int) error\n+\tfunc F(int, string) error\n"},
		{"new package", map[string][]string{
			"a.txt": files["a.txt"], "b.txt": files["b.txt"], "c.txt": {"func H()"},
		}, "api/c.txt is missing (a new package?):\n+\tfunc H()\n"},
		{"package gone", map[string][]string{"a.txt": files["a.txt"]},
			"api/b.txt describes a package that is gone:\n-\tfunc G()\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Diff(files, tc.code)
			if tc.want == "" {
				assert.Empty(t, d)
				return
			}
			assert.Contains(t, d, tc.want)
			assert.Contains(t, d, "go run ./internal/apicheck -write")
		})
	}
}

func TestWriteRead(t *testing.T) {
	root := t.TempDir()
	files := map[string][]string{"factor_memstore.txt": {"func New() *Store", "type Store struct"}}
	require.NoError(t, Write(root, map[string][]string{"old.txt": {"func Old()"}}))
	require.NoError(t, Write(root, files))
	got, err := Read(root)
	require.NoError(t, err)
	assert.Equal(t, files, got, "old.txt is removed, the header skipped")
}
