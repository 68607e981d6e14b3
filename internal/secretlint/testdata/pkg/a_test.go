package pkg

func sameInTest(a, b T) bool { return a.Token == b.Token }
