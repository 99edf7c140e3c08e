package authn

import (
	"sync"
	"sync/atomic"
)

// Generation counts committed changes to what authentication and authorization read from the
// store: access keys, users, groups, roles, policies and their links. Every committed mutation
// bumps it (iamsvc's mutate, through authz.Authorizer.Invalidate) after its transaction commits
// and before its response is sent, so a request that starts after a change was acknowledged
// never sees a cache entry loaded before it.
//
// The counter lives in memory: it assumes this process is the store's only writer.
type Generation struct{ n atomic.Uint64 }

// Bump records that a change was committed.
func (g *Generation) Bump() { g.n.Add(1) }

// Load returns the current generation.
func (g *Generation) Load() uint64 { return g.n.Load() }

// Cache maps keys to values loaded at one generation: entries loaded before the latest Bump are
// never returned. It holds at most max entries (it empties itself when full), so a caller
// cycling through more principals than that costs reloads, not memory.
type Cache[K comparable, V any] struct {
	gen *Generation
	max int

	mu sync.RWMutex
	at uint64 // the generation the entries were loaded at
	m  map[K]V
}

// NewCache returns an empty cache bound to gen.
func NewCache[K comparable, V any](gen *Generation, max int) *Cache[K, V] {
	return &Cache[K, V]{gen: gen, max: max, m: map[K]V{}}
}

// Get returns the value of k if it was loaded at the current generation, and that generation,
// to pass to Put after loading the value on a miss. Read the generation before loading: a
// change committed while the value loads then makes the entry stale, never the reverse.
func (c *Cache[K, V]) Get(k K) (v V, ok bool, gen uint64) {
	gen = c.gen.Load()
	c.mu.RLock()
	if c.at == gen {
		v, ok = c.m[k]
	}
	c.mu.RUnlock()
	return v, ok, gen
}

// Put stores v, loaded at generation gen (as returned by Get before loading it).
func (c *Cache[K, V]) Put(gen uint64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.at:
		return // loaded before a change the cache has already seen
	case gen > c.at || len(c.m) >= c.max:
		clear(c.m)
		c.at = gen
	}
	c.m[k] = v
}
