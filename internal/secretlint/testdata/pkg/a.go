package pkg

// T is compared below; Dir finds the comparison.
func same(a, b T) bool {
	return a.Token == b.Token
}
