// Command apicheck keeps the files in api/ equal to the exported API of
// twostep's public packages, the way the Go project keeps api/go1.*.txt:
// every exported identifier of every package outside internal/ and
// examples/, in every module of the repository, one line each with its
// signature, sorted.
//
//	go run ./internal/apicheck          # compare; print a diff and fail on a difference
//	go run ./internal/apicheck -write   # rewrite api/ from the code
//
// Its test runs the comparison, so `go test ./...` fails when an exported
// name or signature changed and api/ was not regenerated in the same
// change. The API is read from the compiler's export data (`go list
// -export`), so a file lists what importers see, not what the source
// happens to spell out: parameter names are left out, promoted methods are
// listed.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	write := flag.Bool("write", false, "rewrite api/ from the code instead of comparing")
	root := flag.String("root", ".", "the repository's root directory")
	flag.Parse()

	got, err := Generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apicheck:", err)
		os.Exit(1)
	}
	if *write {
		if err := Write(*root, got); err != nil {
			fmt.Fprintln(os.Stderr, "apicheck:", err)
			os.Exit(1)
		}
		fmt.Printf("apicheck: wrote %d files to api/\n", len(got))
		return
	}
	want, err := Read(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apicheck:", err)
		os.Exit(1)
	}
	if d := Diff(want, got); d != "" {
		fmt.Fprint(os.Stderr, d)
		os.Exit(1)
	}
	fmt.Printf("apicheck: api/ matches the code (%d packages)\n", len(got))
}
