package catalog

import (
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
)

// Match returns the actions a policy's Action element pattern matches, in catalog order
// (services by prefix, then actions by name). The pattern is "service:action"; either part may
// use * (any run of characters) and ? (one character), and matching ignores ASCII case. A
// wildcard in one part never spans the colon. The pattern "*" alone matches every action; any
// other pattern without a colon matches none.
func (c *Catalog) Match(pattern string) []*Action {
	svcPat, actPat, ok := strings.Cut(pattern, ":")
	if !ok {
		if pattern != "*" {
			return nil
		}
		svcPat, actPat = "*", "*"
	}
	var out []*Action
	if !hasWildcard(svcPat) {
		s, ok := c.Service(svcPat)
		if !ok {
			return nil
		}
		return s.appendMatches(out, actPat)
	}
	for i := range c.services {
		if globFold(svcPat, c.services[i].Prefix) {
			out = c.services[i].appendMatches(out, actPat)
		}
	}
	return out
}

func (s *Service) appendMatches(out []*Action, pattern string) []*Action {
	if !hasWildcard(pattern) {
		if a, ok := s.Action(pattern); ok {
			out = append(out, a)
		}
		return out
	}
	for i := range s.Actions {
		if globFold(pattern, s.Actions[i].Name) {
			out = append(out, &s.Actions[i])
		}
	}
	return out
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// globFold reports whether name matches pattern, * matching any run of characters and ? one,
// ignoring ASCII case: the matching IAM uses for actions (arn.GlobFold).
func globFold(pattern, name string) bool { return arn.GlobFold(pattern, name) }
