package factor

import "sync"

// secretCacheSize bounds the opened secrets kept in memory. When it fills
// up the cache starts over, which costs one open per enrollment.
const secretCacheSize = 4096

// secretCache keeps opened factor secrets so that a login does not pay for
// an AEAD open every time. Entries are keyed by associated data and
// ciphertext, so a changed or moved ciphertext never hits.
type secretCache struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (c *secretCache) get(key []byte) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[string(key)]
	return v, ok
}

func (c *secretCache) put(key, plain []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= secretCacheSize {
		c.m = make(map[string][]byte)
	}
	c.m[string(key)] = plain
}
