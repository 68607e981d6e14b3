package b

func same(a, b T) bool { return a.Token == b.Token }
