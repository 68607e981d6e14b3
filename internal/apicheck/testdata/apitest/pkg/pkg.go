// Package pkg has one of every kind of exported identifier, for apicheck's
// test.
package pkg

import (
	"context"
	"io"
)

// Mode is a defined type with constants.
type Mode int

// The modes.
const (
	Fast Mode = iota
	Slow
)

// Greeting is an untyped constant.
const Greeting = "hello"

// ErrNope is a variable.
var ErrNope error

// Base is embedded in Thing.
type Base struct{ ID string }

// Name is promoted to Thing.
func (Base) Name() string { return "" }

// Thing has exported and unexported fields.
type Thing struct {
	Base
	Count  int
	Hook   func(ctx context.Context, n int) error
	hidden bool
}

// Close has a pointer receiver.
func (t *Thing) Close() error { return nil }

// Sealed cannot be implemented outside the package.
type Sealed interface {
	io.Reader
	Done(ctx context.Context) bool
	seal()
}

// Reader is an alias.
type Reader = io.Reader

// Func is a function type.
type Func func(name string, rest ...int) (int, error)

// Map is generic.
func Map[T any](xs []T, f func(T) T) []T { return xs }

// New is variadic.
func New(opts ...string) *Thing { return nil }

func unexported() {}
