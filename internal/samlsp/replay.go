package samlsp

import (
	"sync"
	"time"
)

// replayCache remembers the IDs of accepted assertions until they expire. It holds at most max
// IDs: when full it first drops expired IDs, then the one that expires soonest (an assertion
// that old is about to be refused as expired anyway).
type replayCache struct {
	mu  sync.Mutex
	max int
	ids map[string]time.Time
}

func newReplayCache(maxIDs int) *replayCache {
	return &replayCache{max: max(maxIDs, 1), ids: map[string]time.Time{}}
}

// use records id as used until until; false if it was already used and has not expired.
func (c *replayCache) use(id string, until, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if exp, ok := c.ids[id]; ok && now.Before(exp) {
		return false
	}
	if len(c.ids) >= c.max {
		for k, exp := range c.ids {
			if !now.Before(exp) {
				delete(c.ids, k)
			}
		}
	}
	if len(c.ids) >= c.max {
		first, firstExp := "", time.Time{}
		for k, exp := range c.ids {
			if first == "" || exp.Before(firstExp) {
				first, firstExp = k, exp
			}
		}
		delete(c.ids, first)
	}
	c.ids[id] = until
	return true
}

func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ids)
}
