package condition

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iamd-dev/iamd/internal/arn"
)

// FuzzCompile checks that compiling and evaluating arbitrary conditions never panics, that an
// operator CheckOperator accepts always compiles, and that Eval is deterministic.
func FuzzCompile(f *testing.F) {
	f.Add("StringLike", "s3:prefix", "home/${aws:username}/*", "home/alice/x", true)
	f.Add("ForAllValues:StringNotEqualsIfExists", "aws:TagKeys", "a", "b", true)
	f.Add("NumericLessThan", "k:n", "10.5", "-3", false)
	f.Add("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00+02:00", "1577836800", false)
	f.Add("IpAddress", "aws:SourceIp", "2001:db8::/32", "::ffff:1.2.3.4", false)
	f.Add("BinaryEquals", "k:b", "YWJj", "YWJj", false)
	f.Add("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*", "arn:aws:sns:r:1:t", true)
	f.Add("Null", "k:k", "true", "", false)
	f.Add("Bool", "k:k", "${a:b, 'true'}", "TRUE", true)
	f.Add("StringEqualz", "k", "v", "v", true)
	f.Fuzz(func(t *testing.T, op, key, value, ctxValue string, vars bool) {
		c, err := Compile(op, key, []string{value, value + "*"}, Options{Variables: vars})
		if (err == nil) != (CheckOperator(op) == nil) {
			t.Fatalf("Compile(%q) error %v disagrees with CheckOperator", op, err)
		}
		if err != nil {
			return
		}
		ctx := NewMap(map[string][]string{key: {ctxValue}, "aws:username": {ctxValue}, "a:b": {ctxValue, value}})
		o1 := c.Eval(ctx)
		if o2 := c.Eval(ctx); o1 != o2 {
			t.Fatalf("Eval not deterministic: %+v vs %+v", o1, o2)
		}
		if o := c.Eval(nil); !o.Missing {
			t.Fatalf("Eval(nil) = %+v, want Missing", o)
		}
	})
}

// FuzzPattern checks that CompileARN and Match never panic, that a pattern without wildcards or
// variables matches its own literal, and that without variables Pattern.Match agrees with
// arn.Match.
func FuzzPattern(f *testing.F) {
	f.Add("arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/alice/x", "alice")
	f.Add("arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/bob", "")
	f.Add("arn:aws:s3:*", "arn:aws:s3:::b", "")
	f.Add("*", "x", "")
	f.Add("arn:aws:s3:::b/${*}${?}${$}", "arn:aws:s3:::b/*?$", "")
	f.Add("arn:aws:s3:::b/${aws:username, 'd''x'}", "arn:aws:s3:::b/d'x", "")
	f.Fuzz(func(t *testing.T, pattern, resource, user string) {
		if len(pattern) > 256 || len(resource) > 1024 {
			return
		}
		ctx := NewMap(map[string][]string{"aws:username": {user}})
		p, err := CompileARN(pattern, Options{Variables: true})
		if err != nil {
			t.Fatalf("CompileARN(%q): %v", pattern, err)
		}
		p.Match(resource, ctx)
		if lit, ok := p.Literal(); ok {
			if _, perr := arn.Parse(lit); perr == nil && !p.Match(lit, ctx) {
				t.Fatalf("CompileARN(%q) does not match its literal %q", pattern, lit)
			}
			if !strings.HasPrefix(lit, p.Prefix()) || lit != p.Prefix() {
				t.Fatalf("Prefix() = %q for literal %q", p.Prefix(), lit)
			}
		}
		if !strings.Contains(pattern, "$") {
			if got, want := p.Match(resource, ctx), arn.Match(pattern, resource); got != want {
				t.Fatalf("Pattern(%q).Match(%q) = %v, arn.Match = %v", pattern, resource, got, want)
			}
		}
		// String patterns (StringLike) must agree with a regexp oracle when there are no variables.
		sp := newPattern(pattern, false, true, false, Options{})
		if !utf8.ValidString(pattern) || !utf8.ValidString(resource) {
			sp.Match(resource, nil) // regexp reads invalid UTF-8 differently; only check for panics
			return
		}
		if got, want := sp.Match(resource, nil), likeOracle(pattern, resource); got != want {
			t.Fatalf("StringLike %q against %q = %v, oracle %v", pattern, resource, got, want)
		}
	})
}

func likeOracle(pattern, s string) bool {
	var b strings.Builder
	b.WriteString(`^(?s)`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return false
	}
	return re.MatchString(s)
}
