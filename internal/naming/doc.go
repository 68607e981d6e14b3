// Package naming holds a test that keeps one word per idea across the
// module: no two public packages export a type of the same name, except
// the few names that repeat on purpose because each package has its own
// (Config, Sender, Error, Handler, Factor, and Store for the stores that
// implement factor.Store).
package naming
