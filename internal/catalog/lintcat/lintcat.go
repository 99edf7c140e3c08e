package lintcat

import (
	"fmt"
	"strings"

	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/policy"
)

// Adapt returns the policy package's view of c. The functions share c, which is immutable, so
// the result is safe for concurrent use.
func Adapt(c *catalog.Catalog) policy.Catalog {
	formats, keys := c.ARNFormatsByService(), c.ActionConditionKeys()
	return policy.Catalog{
		ARNFormats: func(service string) []string { return formats[service] },
		ActionConditionKeys: func(action string) ([]string, bool) {
			ks, ok := keys[strings.ToLower(action)]
			return ks, ok
		},
		KnownService: func(prefix string) bool {
			_, ok := c.Service(prefix)
			return ok
		},
		MatchActions: func(pattern string) []string {
			m := c.Match(pattern)
			if len(m) == 0 {
				return nil
			}
			out := make([]string, len(m))
			for i, a := range m {
				out[i] = a.String()
			}
			return out
		},
		ConditionKeyType: func(key string) (string, bool) {
			k, ok := c.ConditionKey(key)
			if !ok {
				return "", false
			}
			return k.Type, true
		},
		AccessLevel: func(action string) (string, bool) {
			a, ok := c.Action(action)
			if !ok || a.AccessLevel == 0 {
				return "", false
			}
			return a.AccessLevel.String(), true
		},
	}
}

// Load decodes the embedded catalog and adapts it. Decoding takes tens of milliseconds: callers
// that lint more than once keep the result.
func Load() (policy.Catalog, error) {
	c, err := catalog.Load()
	if err != nil {
		return policy.Catalog{}, fmt.Errorf("load action catalog: %w", err)
	}
	return Adapt(c), nil
}
