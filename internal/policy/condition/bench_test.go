package condition

import "testing"

func mustCompile(tb testing.TB, op, key string, values ...string) *Clause {
	tb.Helper()
	c, err := Compile(op, key, values, Options{Variables: true})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var benchCtx = NewMap(map[string][]string{
	"aws:username":           {"alice"},
	"aws:PrincipalTag/team":  {"red"},
	"aws:SourceIp":           {"2001:db8:1234:5678::99"},
	"aws:SecureTransport":    {"true"},
	"s3:prefix":              {"home/alice/projects/2024/report.txt"},
	"aws:TagKeys":            {"environment", "cost-center", "owner"},
	"aws:CurrentTime":        {"2024-05-01T12:00:00Z"},
	"s3:max-keys":            {"100"},
	"aws:SourceArn":          {"arn:aws:sns:us-east-1:123456789012:topic"},
	"k:bin":                  {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
	"aws:ResourceTag/team":   {"red"},
	"aws:PrincipalAccount":   {"123456789012"},
	"aws:RequestTag/project": {"blue"},
})

func benchClauses(tb testing.TB) map[string]*Clause {
	return map[string]*Clause{
		"StringEquals":           mustCompile(tb, "StringEquals", "aws:PrincipalTag/team", "blue", "red"),
		"StringLike":             mustCompile(tb, "StringLike", "s3:prefix", "home/${aws:username}/*"),
		"StringNotEquals":        mustCompile(tb, "StringNotEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}"),
		"StringEqualsIgnoreCase": mustCompile(tb, "StringEqualsIgnoreCase", "aws:PrincipalTag/team", "RED"),
		"IpAddress":              mustCompile(tb, "IpAddress", "aws:SourceIp", "203.0.113.0/24", "2001:DB8:1234:5678::/64"),
		"NotIpAddress":           mustCompile(tb, "NotIpAddress", "aws:SourceIp", "10.0.0.0/8"),
		"Bool":                   mustCompile(tb, "Bool", "aws:SecureTransport", "true"),
		"NumericLessThan":        mustCompile(tb, "NumericLessThan", "s3:max-keys", "1000.5"),
		"DateLessThan":           mustCompile(tb, "DateLessThan", "aws:CurrentTime", "2025-01-01T00:00:00+02:00"),
		"ArnLike":                mustCompile(tb, "ArnLike", "aws:SourceArn", "arn:aws:sns:*:${aws:PrincipalAccount}:*"),
		"BinaryEquals":           mustCompile(tb, "BinaryEquals", "k:bin", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="),
		"ForAllValues":           mustCompile(tb, "ForAllValues:StringEquals", "aws:TagKeys", "environment", "cost-center", "owner"),
		"ForAnyValue":            mustCompile(tb, "ForAnyValue:StringLike", "aws:TagKeys", "own*"),
		"Null":                   mustCompile(tb, "Null", "aws:TokenIssueTime", "true"),
		"Missing":                mustCompile(tb, "StringEqualsIfExists", "aws:nope", "x"),
		"BadContext":             mustCompile(tb, "NumericNotEquals", "aws:username", "1"),
		"BadIP":                  mustCompile(tb, "IpAddress", "aws:username", "10.0.0.0/8"),
		"BadDate":                mustCompile(tb, "DateEquals", "aws:username", "2020-01-01"),
		"BadBinary":              mustCompile(tb, "BinaryEquals", "s3:prefix", "YQ=="),
		"Unresolved":             mustCompile(tb, "StringEquals", "aws:username", "${aws:nope}"),
	}
}

func TestEvalDoesNotAllocate(t *testing.T) {
	for name, c := range benchClauses(t) {
		t.Run(name, func(t *testing.T) {
			if n := testing.AllocsPerRun(50, func() { c.Eval(benchCtx) }); n != 0 {
				t.Errorf("%s Eval allocates %v times, want 0", name, n)
			}
		})
	}
	p, _ := CompileARN("arn:aws:s3:::bucket/${aws:username}/*", Options{Variables: true})
	if n := testing.AllocsPerRun(50, func() { p.Match("arn:aws:s3:::bucket/alice/x/y", benchCtx) }); n != 0 {
		t.Errorf("Pattern.Match allocates %v times, want 0", n)
	}
}

func benchEval(b *testing.B, name string) {
	c := benchClauses(b)[name]
	want := c.Eval(benchCtx)
	b.ReportAllocs()
	for b.Loop() {
		if c.Eval(benchCtx) != want {
			b.Fatal("unstable")
		}
	}
}

func BenchmarkStringEquals(b *testing.B)    { benchEval(b, "StringEquals") }
func BenchmarkStringLike(b *testing.B)      { benchEval(b, "StringLike") }
func BenchmarkIpAddress(b *testing.B)       { benchEval(b, "IpAddress") }
func BenchmarkBool(b *testing.B)            { benchEval(b, "Bool") }
func BenchmarkNumericLessThan(b *testing.B) { benchEval(b, "NumericLessThan") }
func BenchmarkDateLessThan(b *testing.B)    { benchEval(b, "DateLessThan") }
func BenchmarkForAllValues(b *testing.B)    { benchEval(b, "ForAllValues") }

func BenchmarkPatternVariable(b *testing.B) {
	p, _ := CompileARN("arn:aws:s3:::bucket/${aws:username}/*", Options{Variables: true})
	b.ReportAllocs()
	for b.Loop() {
		if !p.Match("arn:aws:s3:::bucket/alice/projects/2024/report.txt", benchCtx) {
			b.Fatal("no match")
		}
	}
}
