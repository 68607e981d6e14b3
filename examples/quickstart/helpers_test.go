package main

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/twostep/twostep/factor/factortest"
)

func waitFor(t *testing.T, out *factortest.LogBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("output never matched %v: %s", re, out.String())
	return ""
}

// requireTool returns the path of an external program that stands in for a
// real-world part. When it is missing the test is skipped, unless
// TWOSTEP_REQUIRE_SERVICES=1, when it fails.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " not found; install the Debian package " + debianPackage + " to run this test"
	if os.Getenv("TWOSTEP_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg + " (required: TWOSTEP_REQUIRE_SERVICES=1)")
	}
	t.Skip(msg)
	return ""
}
