// Package race reports whether the race detector is on, for tests whose
// figures it changes, such as allocation budgets: the race detector's
// instrumentation allocates where the plain build does not.
package race
