package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// benchCase is one benchmarked request: its Input and the effect Evaluate must return.
type benchCase struct {
	name string
	in   *Input
	want DecisionEffect
}

const (
	benchAccount = "111122223333"
	benchUser    = "arn:aws:iam::111122223333:user/alice"
)

func benchCompile(tb testing.TB, kind Kind, name, text string) *Compiled {
	tb.Helper()
	doc, err := testDocument(text)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	c, err := Compile(doc, kind, PolicyRef{Name: name})
	if err != nil {
		tb.Fatalf("Compile(%s): %v", name, err)
	}
	return c
}

func benchDoc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func benchUserPrincipal() PrincipalInfo {
	return PrincipalInfo{Type: PrincipalUser, ARN: benchUser, Account: benchAccount}
}

// benchCases builds the benchmarked requests. The wildcard-heavy case is a 200-statement
// administrator policy of the kind people write by hand: wildcard actions across many services,
// wildcard resources, a few cross-service "*:List*" patterns and NotAction statements.
func benchCases(tb testing.TB) []benchCase {
	tb.Helper()
	var cases []benchCase

	simple := benchCompile(tb, Identity, "S3Read", benchDoc(
		`{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]}`))
	cases = append(cases, benchCase{"simple-allow", &Input{
		Action: "s3:GetObject", Resource: "arn:aws:s3:::examplebucket/report.csv",
		Principal: benchUserPrincipal(), Identity: []*Compiled{simple},
	}, DecisionAllow})

	var fifty []string
	for i := range 50 {
		fifty = append(fifty, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["svc%d:GetThing","svc%d:PutThing"],"Resource":"arn:aws:svc%d:us-east-1:111122223333:thing/%d"}`, i, i%10, i%10, i%10, i))
	}
	fiftyPol := benchCompile(tb, Identity, "Fifty", benchDoc(fifty...))
	cases = append(cases, benchCase{"50-statements", &Input{
		Action: "svc7:PutThing", Resource: "arn:aws:svc7:us-east-1:111122223333:thing/47",
		Principal: benchUserPrincipal(), Identity: []*Compiled{fiftyPol},
	}, DecisionAllow})

	admin := benchCompile(tb, Identity, "Admin", benchDoc(`{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}`))
	deny := benchCompile(tb, Identity, "DenyDelete", benchDoc(
		`{"Sid":"NoDelete","Effect":"Deny","Action":["s3:DeleteBucket","s3:DeleteObject*"],"Resource":"arn:aws:s3:::examplebucket*"}`))
	cases = append(cases, benchCase{"deny-wins", &Input{
		Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::examplebucket",
		Principal: benchUserPrincipal(), Identity: []*Compiled{admin, deny},
	}, DecisionExplicitDeny})

	conds := benchCompile(tb, Identity, "Conditions", benchDoc(
		`{"Sid":"Tagged","Effect":"Allow","Action":"ec2:StartInstances","Resource":"arn:aws:ec2:*:111122223333:instance/*","Condition":{`+
			`"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}","aws:RequestedRegion":["us-east-1","eu-west-1"]},`+
			`"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]},`+
			`"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},`+
			`"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`,
		`{"Sid":"DenyNoMFA","Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`))
	ctx := condition.NewMap(map[string][]string{
		"aws:ResourceTag/team": {"analytics"}, "aws:PrincipalTag/team": {"analytics"},
		"aws:RequestedRegion": {"eu-west-1"}, "aws:SourceIp": {"203.0.113.7"},
		"aws:CurrentTime": {"2025-06-01T12:00:00Z"}, "aws:MultiFactorAuthPresent": {"true"},
	})
	cases = append(cases, benchCase{"conditions", &Input{
		Action: "ec2:StartInstances", Resource: "arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0",
		Context: ctx, Principal: benchUserPrincipal(), Identity: []*Compiled{conds},
	}, DecisionAllow})

	carol := benchCompile(tb, Identity, "CarolS3", benchDoc(`{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}`))
	boundary := benchCompile(tb, Boundary, "Boundary", benchDoc(`{"Sid":"S3","Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	bucket := benchCompile(tb, Resource, "Bucket", benchDoc(
		`{"Sid":"AllowB","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}`,
		`{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::examplebucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`))
	cases = append(cases, benchCase{"cross-account", &Input{
		Action: "s3:GetObject", Resource: "arn:aws:s3:::examplebucket/report.csv",
		Context:         condition.NewMap(map[string][]string{"aws:SecureTransport": {"true"}}),
		Principal:       PrincipalInfo{Type: PrincipalUser, ARN: "arn:aws:iam::444455556666:user/carol", Account: "444455556666"},
		ResourceAccount: benchAccount, Identity: []*Compiled{carol}, Boundary: boundary, ResourcePolicy: bucket,
	}, DecisionAllow})

	services := []string{"s3", "ec2", "iam", "dynamodb", "sqs", "sns", "lambda", "kms", "logs", "cloudwatch"}
	verbs := []string{"Get*", "List*", "Describe*", "Put*", "*Tag*", "Create*", "Delete*", "Update*"}
	var heavy []string
	for i := range 200 {
		svc := services[i%len(services)]
		verb := verbs[(i/len(services))%len(verbs)]
		switch {
		case i%50 == 49:
			heavy = append(heavy, fmt.Sprintf(`{"Sid":"X%d","Effect":"Allow","Action":"*:%s","Resource":"arn:aws:%s:*:111122223333:*"}`, i, verb, svc))
		case i%40 == 39:
			heavy = append(heavy, fmt.Sprintf(`{"Sid":"N%d","Effect":"Deny","NotAction":["%s:*","iam:*"],"Resource":"arn:aws:%s:eu-*:*:*"}`, i, svc, svc))
		default:
			heavy = append(heavy, fmt.Sprintf(`{"Sid":"W%d","Effect":"Allow","Action":["%s:%s","%s:Batch*"],"Resource":["arn:aws:%s:*:111122223333:team-%d/*","arn:aws:%s:us-*:*:shared-%d-*"]}`,
				i, svc, verb, svc, svc, i, svc, i))
		}
	}
	heavyPol := benchCompile(tb, Identity, "Heavy", benchDoc(heavy...))
	cases = append(cases, benchCase{"wildcard-heavy-200-statements", &Input{
		Action: "dynamodb:DeleteItem", Resource: "arn:aws:dynamodb:us-east-1:111122223333:team-143/orders",
		Principal: benchUserPrincipal(), Identity: []*Compiled{heavyPol},
	}, DecisionAllow})
	return cases
}

func BenchmarkEvaluate(b *testing.B) {
	for _, bc := range benchCases(b) {
		b.Run(bc.name, func(b *testing.B) {
			if got := Evaluate(bc.in).Effect; got != bc.want {
				b.Fatalf("Evaluate = %v, want %v", got, bc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(bc.in)
			}
		})
	}
}

func BenchmarkExplain(b *testing.B) {
	for _, bc := range benchCases(b) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Explain(bc.in)
			}
		})
	}
}

// TestEvaluateAllocs checks that Evaluate does not allocate, for every benchmarked request and
// every scenario in testdata/eval.
func TestEvaluateAllocs(t *testing.T) {
	cases := benchCases(t)
	for _, f := range scenarioFiles(t) {
		_, w := loadScenario(t, f)
		cases = append(cases, benchCase{name: f, in: w.input(t)})
	}
	for _, bc := range cases {
		if got := Evaluate(bc.in).Effect; bc.want != 0 && got != bc.want {
			t.Errorf("%s: Evaluate = %v, want %v", bc.name, got, bc.want)
		}
		if n := testing.AllocsPerRun(100, func() { Evaluate(bc.in) }); n != 0 {
			t.Errorf("%s: Evaluate allocates %v times per call, want 0", bc.name, n)
		}
	}
}
