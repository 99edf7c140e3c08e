package condition

// Context is the request context. Implementations match key names case-insensitively; callers in
// this package always pass the key already lower-cased (ASCII), so a map keyed by lower-case names
// works without allocation.
type Context interface {
	Values(lowerKey string) (vals []string, ok bool)
}

// Map is a simple Context keyed by ASCII lower-cased key names.
type Map map[string][]string

// NewMap returns a Map holding m with its keys lower-cased once. Values of keys that differ only
// in case are merged.
func NewMap(m map[string][]string) Map {
	out := make(Map, len(m))
	for k, v := range m {
		lk := lowerASCII(k)
		if prev, ok := out[lk]; ok {
			out[lk] = append(append([]string(nil), prev...), v...)
			continue
		}
		out[lk] = v
	}
	return out
}

// Values implements Context.
func (m Map) Values(lowerKey string) ([]string, bool) {
	v, ok := m[lowerKey]
	return v, ok
}

// lowerASCII lower-cases ASCII letters only, the way condition keys are compared.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + ('a' - 'A')
				}
			}
			return string(b)
		}
	}
	return s
}
