package arn

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    ARN
		wantErr bool
	}{
		{name: "iam user", in: "arn:aws:iam::123456789012:user/division/Bob", want: ARN{"aws", "iam", "", "123456789012", "user/division/Bob"}},
		{name: "s3 object", in: "arn:aws:s3:::bucket/key", want: ARN{"aws", "s3", "", "", "bucket/key"}},
		{name: "resource with colons", in: "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", want: ARN{"aws", "logs", "us-east-1", "123456789012", "log-group:g:log-stream:s"}},
		{name: "china partition", in: "arn:aws-cn:sqs:cn-north-1:123456789012:q", want: ARN{"aws-cn", "sqs", "cn-north-1", "123456789012", "q"}},
		{name: "empty resource", in: "arn:aws:iam::1:", want: ARN{"aws", "iam", "", "1", ""}},
		{name: "five parts", in: "arn:aws:iam::123456789012", wantErr: true},
		{name: "no prefix", in: "aws:iam::123456789012:user/x:y", wantErr: true},
		{name: "upper prefix", in: "ARN:aws:iam::1:user/x", wantErr: true},
		{name: "star", in: "*", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want error", tt.in, got)
				}
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("Parse(%q) error %v does not wrap ErrMalformed", tt.in, err)
				}
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Input != tt.in || !strings.Contains(err.Error(), "arn:") {
					t.Errorf("Parse(%q) error = %v, want *ParseError naming the input", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("Parse(%q).String() = %q", tt.in, s)
			}
		})
	}
}

func TestParseErrorTruncates(t *testing.T) {
	long := strings.Repeat("x", 500)
	_, err := Parse(long)
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("Parse(long) error = %v, want a short message", err)
	}
}

func TestIAM(t *testing.T) {
	tests := []struct {
		name                          string
		partition, account, typ, path string
		entity                        string
		want                          string
	}{
		{name: "root path", partition: "aws", account: "123456789012", typ: "user", path: "/", entity: "Bob", want: "arn:aws:iam::123456789012:user/Bob"},
		{name: "division path", partition: "aws", account: "123456789012", typ: "user", path: "/division/", entity: "name", want: "arn:aws:iam::123456789012:user/division/name"},
		{name: "empty path", partition: "aws-cn", account: "1", typ: "role", path: "", entity: "R", want: "arn:aws-cn:iam::1:role/R"},
		{name: "policy", partition: "aws", account: "aws", typ: "policy", path: "/service-role/", entity: "P", want: "arn:aws:iam::aws:policy/service-role/P"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IAM(tt.partition, tt.account, tt.typ, tt.path, tt.entity); got != tt.want {
				t.Errorf("IAM(%q,%q,%q,%q,%q) = %q, want %q", tt.partition, tt.account, tt.typ, tt.path, tt.entity, got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name           string
		pattern, value string
		want           bool
	}{
		// IAM User Guide, "IAM JSON policy elements: Resource".
		{name: "resource doc: exact user", pattern: "arn:aws:iam::123456789012:user/Bob", value: "arn:aws:iam::123456789012:user/Bob", want: true},
		{name: "resource doc: user name is case sensitive", pattern: "arn:aws:iam::123456789012:user/Bob", value: "arn:aws:iam::123456789012:user/bob", want: false},
		{name: "resource doc: users under /accounting", pattern: "arn:aws:iam::123456789012:user/accounting/*", value: "arn:aws:iam::123456789012:user/accounting/alice", want: true},
		{name: "resource doc: other path", pattern: "arn:aws:iam::123456789012:user/accounting/*", value: "arn:aws:iam::123456789012:user/sales/alice", want: false},
		{name: "resource doc: all bucket objects", pattern: "arn:aws:s3:::amzn-s3-demo-bucket/*", value: "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt", want: true},
		{name: "resource doc: star spans slashes", pattern: "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", value: "arn:aws:s3:::amzn-s3-demo-bucket/1/test/object.jpg", want: true},
		{name: "resource doc: star spans several slashes", pattern: "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", value: "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/object.jpg", want: true},
		{name: "resource doc: question mark", pattern: "arn:aws:iam::123456789012:user/Bo?", value: "arn:aws:iam::123456789012:user/Bob", want: true},
		{name: "resource doc: question mark needs one char", pattern: "arn:aws:iam::123456789012:user/Bo?", value: "arn:aws:iam::123456789012:user/Bo", want: false},
		{name: "resource part keeps colons", pattern: "arn:aws:logs:us-east-1:123456789012:log-group:*", value: "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", want: true},
		{name: "all wildcard parts", pattern: "arn:aws:logs:*:*:*", value: "arn:aws:logs:us-east-1:123456789012:log-group:g", want: true},
		{name: "region wildcard does not cross colon", pattern: "arn:aws:sqs:us-*:123456789012:q", value: "arn:aws:sqs:us-east-1:999:123456789012:q", want: false},
		{name: "account wildcard", pattern: "arn:aws:iam::*:role/Admin", value: "arn:aws:iam::111122223333:role/Admin", want: true},
		{name: "empty region must be empty", pattern: "arn:aws:iam::123456789012:user/x", value: "arn:aws:iam:us-east-1:123456789012:user/x", want: false},
		{name: "star matches empty region", pattern: "arn:aws:iam:*:123456789012:user/x", value: "arn:aws:iam::123456789012:user/x", want: true},
		{name: "partition mismatch", pattern: "arn:aws:iam::1:user/x", value: "arn:aws-cn:iam::1:user/x", want: false},
		{name: "star pattern", pattern: "*", value: "anything at all", want: true},
		{name: "star pattern empty value", pattern: "*", value: "", want: true},
		{name: "value not an ARN", pattern: "arn:*:*:*:*:*", value: "not-an-arn", want: false},
		{name: "value five parts", pattern: "arn:aws:iam::1:*", value: "arn:aws:iam::1", want: false},
		// "If the * wildcard is the last character of a resource ARN segment, it can expand to
		// match beyond the colon boundaries" (Resource page).
		{name: "short pattern trailing star stretches", pattern: "arn:aws:s3:*", value: "arn:aws:s3:::bucket/key", want: true},
		{name: "short pattern trailing star wrong service", pattern: "arn:aws:s3:*", value: "arn:aws:sqs:us-east-1:1:q", want: false},
		{name: "short pattern no trailing star", pattern: "arn:aws:s3", value: "arn:aws:s3:::bucket", want: false},
		{name: "short pattern empty last part", pattern: "arn:aws:s3:", value: "arn:aws:s3:::bucket", want: false},
		{name: "arn star", pattern: "arn:*", value: "arn:aws:s3:::bucket", want: true},
		{name: "case sensitive service", pattern: "arn:aws:IAM::1:user/x", value: "arn:aws:iam::1:user/x", want: false},
		{name: "pattern extra colon in resource", pattern: "arn:aws:sns:*:123456789012:topic:sub", value: "arn:aws:sns:us-east-1:123456789012:topic:sub", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.pattern, tt.value); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		name       string
		pattern, s string
		want       bool
		wantFold   bool
	}{
		{name: "empty both", pattern: "", s: "", want: true, wantFold: true},
		{name: "empty pattern", pattern: "", s: "a", want: false, wantFold: false},
		{name: "star empty", pattern: "*", s: "", want: true, wantFold: true},
		{name: "literal", pattern: "abc", s: "abc", want: true, wantFold: true},
		{name: "literal case", pattern: "abc", s: "ABC", want: false, wantFold: true},
		{name: "literal longer", pattern: "abc", s: "abcd", want: false, wantFold: false},
		{name: "prefix star", pattern: "iam:Get*", s: "iam:GetUser", want: true, wantFold: true},
		{name: "prefix star fold", pattern: "IAM:get*", s: "iam:GetUser", want: false, wantFold: true},
		{name: "middle", pattern: "a*b*c", s: "aXXbYYc", want: true, wantFold: true},
		{name: "middle missing", pattern: "a*b*c", s: "aXXYYc", want: false, wantFold: false},
		{name: "suffix overlap", pattern: "a*a", s: "a", want: false, wantFold: false},
		{name: "suffix ok", pattern: "a*a", s: "aa", want: true, wantFold: true},
		{name: "double star", pattern: "a**b", s: "ab", want: true, wantFold: true},
		{name: "question", pattern: "a?c", s: "abc", want: true, wantFold: true},
		{name: "question empty", pattern: "?", s: "", want: false, wantFold: false},
		{name: "question rune", pattern: "a?c", s: "aéc", want: true, wantFold: true},
		{name: "question suffix rune", pattern: "*?", s: "é", want: true, wantFold: true},
		{name: "question middle rune", pattern: "*?c*", s: "éc", want: true, wantFold: true},
		{name: "leftmost chunk", pattern: "*ab*ab", s: "xabyabab", want: true, wantFold: true},
		{name: "fold non letters", pattern: "a[b", s: "A[B", want: false, wantFold: true},
		{name: "fold only ascii", pattern: "É", s: "é", want: false, wantFold: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Glob(tt.pattern, tt.s); got != tt.want {
				t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
			if got := GlobFold(tt.pattern, tt.s); got != tt.wantFold {
				t.Errorf("GlobFold(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.wantFold)
			}
		})
	}
}

func TestGlobNoExponentialBacktracking(t *testing.T) {
	// A pattern that makes naive recursive matchers exponential. The work here is bounded by
	// len(pattern)·len(s); the test only checks the answer, never the time.
	s := strings.Repeat("a", 2000)
	p := strings.Repeat("a*", 40) + "b"
	if Glob(p, s) {
		t.Errorf("Glob(%q, a…) = true, want false", p)
	}
}

func TestHasWildcard(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{{"abc", false}, {"a*", true}, {"a?", true}, {"", false}} {
		if got := HasWildcard(tt.s); got != tt.want {
			t.Errorf("HasWildcard(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		Match("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1/2/test/3/o.jpg")
		Glob("a*b?c*", "aXXbYcZZ")
		GlobFold("IAM:Get*", "iam:GetUser")
	})
	if allocs != 0 {
		t.Errorf("Match/Glob/GlobFold allocate %v times per run, want 0", allocs)
	}
}

// globOracle is an independent implementation through package regexp.
func globOracle(pattern, s string, fold bool) bool {
	var b strings.Builder
	b.WriteString(`^`)
	if fold {
		// (?i) folds Unicode; restrict the oracle to ASCII by only calling it with ASCII input.
		b.WriteString(`(?i)`)
	}
	b.WriteString(`(?s)`)
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
	return regexp.MustCompile(b.String()).MatchString(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func FuzzGlob(f *testing.F) {
	f.Add("a*b?c", "aXXbYc")
	f.Add("*", "")
	f.Add("?*?", "é")
	f.Add("iam:Get*", "IAM:getuser")
	f.Add("*ab*ab", "xabyabab")
	f.Add("a*a", "a")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 256 {
			return
		}
		if !isASCII(pattern) || !isASCII(s) {
			// Go's regexp treats invalid UTF-8 in the pattern differently; keep the oracle honest.
			// Non-ASCII valid UTF-8 is still compared case-sensitively.
			if !utf8Valid(pattern) || !utf8Valid(s) {
				Glob(pattern, s)
				GlobFold(pattern, s)
				return
			}
			if got, want := Glob(pattern, s), globOracle(pattern, s, false); got != want {
				t.Fatalf("Glob(%q, %q) = %v, oracle %v", pattern, s, got, want)
			}
			GlobFold(pattern, s)
			return
		}
		if got, want := Glob(pattern, s), globOracle(pattern, s, false); got != want {
			t.Fatalf("Glob(%q, %q) = %v, oracle %v", pattern, s, got, want)
		}
		if got, want := GlobFold(pattern, s), globOracle(pattern, s, true); got != want {
			t.Fatalf("GlobFold(%q, %q) = %v, oracle %v", pattern, s, got, want)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	f.Add("arn:aws:s3:*", "arn:aws:s3:::b/k")
	f.Add("*", "x")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		got := Match(pattern, value)
		if pattern == "*" && !got {
			t.Fatalf("Match(*, %q) = false", value)
		}
		if a, err := Parse(value); err == nil && !HasWildcard(value) {
			if !Match(value, value) {
				t.Fatalf("Match(%q, itself) = false", value)
			}
			if a.String() != value {
				t.Fatalf("Parse(%q).String() = %q", value, a.String())
			}
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Match("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/object.jpg")
	}
}

func BenchmarkGlob(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Glob("user/division/*/name?", "user/division/a/b/c/nameX")
	}
}

func BenchmarkGlobFold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		GlobFold("IAM:Get*Policy", "iam:GetUserPolicy")
	}
}
