// Package factortest helps test twostep and code built on it.
//
// TestStore is the conformance suite every factor.Store must pass; memstore
// and sqlstore run it, and so should a Store of your own:
//
//	func TestStore(t *testing.T) {
//		factortest.TestStore(t, func(t *testing.T) factor.Store {
//			return mystore.Open(t.TempDir())
//		})
//	}
//
// The package also holds fakes for tests of code that uses a Manager: Clock,
// a clock the test sets; RecordingSender, a factor.Sender that keeps every
// message instead of delivering it; and NewLogger, a slog.Logger whose JSON
// output a test can search.
package factortest
