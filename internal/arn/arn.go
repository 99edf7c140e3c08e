// Package arn parses, formats and matches Amazon Resource Names.
//
// Matching follows the IAM User Guide ("IAM JSON policy elements: Resource" and "Condition
// operators: ARN condition operators"): an ARN is split into its six colon-separated parts
// (arn:partition:service:region:account:resource), the first five are compared part by part, the
// resource part is compared whole (it may itself contain colons), and within a part '*' matches any
// run of characters and '?' any single character. Matching is case-sensitive, except GlobFold.
//
// The package is pure and allocation-free on its matching paths.
package arn

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// ErrMalformed is returned (wrapped) by Parse for a string that is not an ARN.
var ErrMalformed = errors.New("malformed ARN")

// ARN is a parsed Amazon Resource Name: arn:partition:service:region:account:resource.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// Parse parses s as an ARN. It returns an error for anything that does not start with "arn:" and
// have six colon-separated parts; the resource part keeps any further colons.
func Parse(s string) (ARN, error) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ARN{}, &ParseError{Input: s, Reason: `does not start with "arn:"`}
	}
	var parts [4]string
	for i := range parts {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ARN{}, &ParseError{Input: s, Reason: "has fewer than six colon-separated parts"}
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	return ARN{Partition: parts[0], Service: parts[1], Region: parts[2], Account: parts[3], Resource: rest}, nil
}

// ParseError describes why a string is not an ARN.
type ParseError struct {
	Input  string
	Reason string
}

func (e *ParseError) Error() string { return "arn: " + quote(e.Input) + " " + e.Reason }

// Unwrap lets errors.Is(err, ErrMalformed) succeed.
func (e *ParseError) Unwrap() error { return ErrMalformed }

func quote(s string) string {
	const max = 200
	if len(s) > max {
		s = s[:max] + "..."
	}
	return `"` + s + `"`
}

// String formats the ARN as arn:partition:service:region:account:resource.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// IAM builds the ARN of an IAM entity, e.g. IAM("aws", "123456789012", "user", "/division/",
// "name") is "arn:aws:iam::123456789012:user/division/name". An empty path is treated as "/".
func IAM(partition, account, resourceType, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + partition + ":iam::" + account + ":" + resourceType + path + name
}

// Match reports whether value matches pattern the way AWS matches ARNs in Resource elements and in
// the ArnLike/ArnEquals condition operators. A pattern of exactly "*" matches everything.
// Otherwise pattern and value are split into six colon-separated parts; the first five are matched
// part by part with Glob (a wildcard never crosses a colon there), and the resource parts are
// matched whole with Glob. A value that is not a six-part ARN matches only "*".
//
// The Resource page of the IAM User Guide adds: "If the * wildcard is the last character of a
// resource ARN segment, it can expand to match beyond the colon boundaries". Match applies that to
// patterns with fewer than six parts whose last part ends in '*' (for example "arn:aws:s3:*"):
// that last part is matched against the whole rest of the value, colons included. A shorter
// pattern whose last part does not end in '*' matches nothing.
func Match(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	if strings.Count(value, ":") < 5 {
		return false
	}
	p, v := pattern, value
	for range 5 {
		pi := strings.IndexByte(p, ':')
		if pi < 0 {
			// The pattern ran out of parts early: only a trailing '*' may stretch over the rest.
			return p != "" && p[len(p)-1] == '*' && Glob(p, v)
		}
		vi := strings.IndexByte(v, ':') // always found: value has at least five colons
		if !Glob(p[:pi], v[:vi]) {
			return false
		}
		p, v = p[pi+1:], v[vi+1:]
	}
	return Glob(p, v)
}

// HasWildcard reports whether s contains '*' or '?'.
func HasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// Glob reports whether s matches pattern, where '*' matches any run of characters (including
// none) and '?' matches exactly one character (one UTF-8 encoded rune, or one byte of invalid
// UTF-8); every other byte matches itself. Glob allocates nothing and never backtracks: each
// literal chunk between stars is placed at its leftmost match, so the running time is at most
// O(len(pattern)·len(s)).
func Glob(pattern, s string) bool { return glob(pattern, s, false) }

// GlobFold is Glob with ASCII case-insensitive comparison; it is used for actions.
func GlobFold(pattern, s string) bool { return glob(pattern, s, true) }

func glob(pattern, s string, fold bool) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		n, ok := matchPrefix(pattern, s, fold)
		return ok && n == len(s)
	}
	// Leading chunk: anchored at the start.
	n, ok := matchPrefix(pattern[:star], s, fold)
	if !ok {
		return false
	}
	s = s[n:]
	pattern = pattern[star+1:]
	for {
		star = strings.IndexByte(pattern, '*')
		if star < 0 {
			// Trailing chunk: anchored at the end.
			return matchSuffix(pattern, s, fold)
		}
		chunk := pattern[:star]
		pattern = pattern[star+1:]
		if chunk == "" {
			continue
		}
		// Middle chunk: its leftmost match is always the best choice.
		found := false
		for i := 0; i <= len(s); {
			if n, ok := matchPrefix(chunk, s[i:], fold); ok {
				s = s[i+n:]
				found = true
				break
			}
			if i == len(s) {
				break
			}
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
		}
		if !found {
			return false
		}
	}
}

// matchPrefix matches a wildcard-free (except '?') chunk against the start of s and returns how
// many bytes of s it consumed.
func matchPrefix(chunk, s string, fold bool) (int, bool) {
	j := 0
	for i := 0; i < len(chunk); i++ {
		if j >= len(s) {
			return 0, false
		}
		c := chunk[i]
		if c == '?' {
			_, w := utf8.DecodeRuneInString(s[j:])
			j += w
			continue
		}
		if !eqByte(c, s[j], fold) {
			return 0, false
		}
		j++
	}
	return j, true
}

// matchSuffix reports whether chunk (no '*') matches a suffix of s.
func matchSuffix(chunk, s string, fold bool) bool {
	j := len(s)
	for i := len(chunk) - 1; i >= 0; i-- {
		if j == 0 {
			return false
		}
		c := chunk[i]
		if c == '?' {
			_, w := utf8.DecodeLastRuneInString(s[:j])
			j -= w
			continue
		}
		if !eqByte(c, s[j-1], fold) {
			return false
		}
		j--
	}
	return true
}

func eqByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	return lower(a) == lower(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
