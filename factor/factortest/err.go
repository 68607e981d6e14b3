package factortest

// Err returns err and drops the result of a Manager call beside it, so
// that a test can check the error alone:
//
//	require.NoError(t, factortest.Err(m.Verify(ctx, a, now)))
func Err[T any](_ T, err error) error { return err }
