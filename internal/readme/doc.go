// Package readme holds a test that keeps the Go snippets of the module's
// README.md honest: each snippet must be an excerpt of an Example that the
// tests compile (and, where it has an Output comment, run). The package has
// no API.
package readme
