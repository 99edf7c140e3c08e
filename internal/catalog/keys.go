package catalog

import "strings"

// template is a condition key whose name has variables, split into the literal parts around
// them: aws:RequestTag/${TagKey} has parts "aws:RequestTag/" and "".
type template struct {
	parts   []string // sub-slice of one array shared by all templates
	literal int      // total length of the parts
	key     *ConditionKey
}

// templates indexes the keys whose names have variables.
func templates(keys []ConditionKey) []template {
	n, vars := 0, 0
	for i := range keys {
		if c := strings.Count(keys[i].Name, "${"); c > 0 {
			n, vars = n+1, vars+c
		}
	}
	out := make([]template, 0, n)
	pool := make([]string, 0, n+vars)
	bounds := make([]int, 0, 2*n)
	for i := range keys {
		name := keys[i].Name
		if !strings.Contains(name, "${") {
			continue
		}
		start := len(pool)
		literal := 0
		for {
			open := strings.Index(name, "${")
			if open < 0 {
				break
			}
			end := strings.IndexByte(name[open:], '}')
			if end < 0 {
				break
			}
			pool = append(pool, name[:open])
			literal += open
			name = name[open+end+1:]
		}
		pool = append(pool, name)
		bounds = append(bounds, start, len(pool))
		out = append(out, template{literal: literal + len(name), key: &keys[i]})
	}
	for i := range out {
		out[i].parts = pool[bounds[2*i]:bounds[2*i+1]:bounds[2*i+1]]
	}
	return out
}

// matches reports whether name fits the template, each variable standing for at least one
// byte, ignoring ASCII case in the literal parts.
func (t *template) matches(name string) bool {
	first, last := t.parts[0], t.parts[len(t.parts)-1]
	if len(name) < len(first)+len(last) || !hasPrefixFold(name, first) {
		return false
	}
	rest := name[len(first):]
	for _, part := range t.parts[1 : len(t.parts)-1] {
		if rest == "" {
			return false
		}
		i := indexFold(rest[1:], part)
		if i < 0 {
			return false
		}
		rest = rest[1+i+len(part):]
	}
	return len(rest) > len(last) && hasSuffixFold(rest, last)
}

// ConditionKey returns the condition key with this name, ignoring case: a global key such as
// aws:SourceIp or a service's key such as s3:prefix. A name that no key spells exactly matches a
// key with variables, such as aws:RequestTag/${TagKey} for aws:RequestTag/team; if several do,
// the one with the most literal text wins.
func (c *Catalog) ConditionKey(name string) (*ConditionKey, bool) {
	if i, ok := search(len(c.keys), name, func(i int) string { return c.keys[i].Name }); ok {
		return &c.keys[i], true
	}
	var best *template
	for i := range c.templates {
		t := &c.templates[i]
		if t.matches(name) && (best == nil || t.literal > best.literal) {
			best = t
		}
	}
	if best == nil {
		return nil, false
	}
	return best.key, true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && compareFold(s[:len(prefix)], prefix) == 0
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && compareFold(s[len(s)-len(suffix):], suffix) == 0
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if compareFold(s[i:i+len(sub)], sub) == 0 {
			return i
		}
	}
	return -1
}
