package policy_test

import (
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/policy"
)

// lintCatalog adapts the real action catalog to policy.Catalog, as cmd/iamd does.
func lintCatalog(t testing.TB) (policy.Catalog, *catalog.Catalog) {
	t.Helper()
	c, err := catalog.Load()
	if err != nil {
		t.Fatalf("catalog.Load: %v", err)
	}
	formats, keys := c.ARNFormatsByService(), c.ActionConditionKeys()
	return policy.Catalog{
		ARNFormats: func(service string) []string { return formats[service] },
		ActionConditionKeys: func(action string) ([]string, bool) {
			ks, ok := keys[strings.ToLower(action)]
			return ks, ok
		},
		KnownService: func(p string) bool { _, ok := c.Service(p); return ok },
		MatchActions: func(p string) []string {
			m := c.Match(p)
			out := make([]string, len(m))
			for i, a := range m {
				out[i] = a.String()
			}
			return out
		},
		ConditionKeyType: func(k string) (string, bool) {
			ck, ok := c.ConditionKey(k)
			if !ok {
				return "", false
			}
			return ck.Type, true
		},
		AccessLevel: func(a string) (string, bool) {
			x, ok := c.Action(a)
			if !ok || x.AccessLevel == 0 {
				return "", false
			}
			return x.AccessLevel.String(), true
		},
	}, c
}

// brief is the part of a finding the table tests compare.
type brief struct{ Type, Code, Path string }

func briefs(fs []policy.Finding) []brief {
	out := []brief{}
	for _, f := range fs {
		out = append(out, brief{f.Type, f.Code, f.Path})
	}
	return out
}

// stmt wraps statements in a 2012-10-17 document.
func stmt(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestLint(t *testing.T) {
	cat, _ := lintCatalog(t)
	const (
		E  = policy.FindingError
		SW = policy.FindingSecurityWarning
		W  = policy.FindingWarning
		S  = policy.FindingSuggestion
	)
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
		want []brief
	}{
		{"clean", policy.Identity,
			stmt(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}`), nil},

		{"unknown service fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":["s3:GetObject","nosuchsvc:Get"],"Resource":"*"}`),
			[]brief{{E, "INVALID_SERVICE_IN_ACTION", "Statement[0].Action[1]"}}},
		{"unknown service in NotAction fires", policy.Identity,
			stmt(`{"Effect":"Deny","NotAction":"nosuchsvc:Get","Resource":"*"}`),
			[]brief{{E, "INVALID_SERVICE_IN_ACTION", "Statement[0].NotAction"}}},
		{"known service with wildcard does not fire", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}`), nil},

		{"unknown action fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}`),
			[]brief{{E, "INVALID_ACTION", "Statement[0].Action"}}},
		{"pattern matching nothing fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:Zzz*","Resource":"*"}`),
			[]brief{{E, "INVALID_ACTION", "Statement[0].Action"}}},
		{"action case is ignored", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}`), nil},

		{"unknown global key fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:NoSuchKey":"x"}}}`),
			[]brief{{E, "INVALID_GLOBAL_CONDITION_KEY", "Statement[0].Condition.StringEquals.aws:NoSuchKey"}}},
		{"unknown service key fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:nosuchkey":"x"}}}`),
			[]brief{{E, "INVALID_SERVICE_CONDITION_KEY", "Statement[0].Condition.StringEquals.s3:nosuchkey"}}},
		{"key of unknown service fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"nosuchsvc:key":"x"}}}`),
			[]brief{{E, "INVALID_SERVICE", "Statement[0].Condition.StringEquals.nosuchsvc:key"}}},
		{"known keys, tag templates and provider keys do not fire", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{
				"StringEquals":{"aws:PrincipalTag/team":"a","aws:username":"r","accounts.google.com:aud":"x","token.actions.githubusercontent.com:sub":"y"}}}`,
				`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"p/*"}}}`),
			nil},

		{"IpAddress on a String key fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:username":"10.0.0.0/8"}}}`),
			[]brief{{W, "TYPE_MISMATCH", "Statement[0].Condition.IpAddress.aws:username"}}},
		{"Date operator on a Numeric key fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:MultiFactorAuthAge":"2020-01-01T00:00:00Z"}}}`),
			[]brief{{W, "TYPE_MISMATCH", "Statement[0].Condition.DateGreaterThan.aws:MultiFactorAuthAge"}}},
		{"Bool on a Date key fires (IfExists kept)", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"BoolIfExists":{"aws:CurrentTime":"true"}}}`),
			[]brief{{W, "TYPE_MISMATCH", "Statement[0].Condition.BoolIfExists.aws:CurrentTime"}}},
		{"matching types do not fire", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{
				"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},
				"NumericLessThan":{"aws:MultiFactorAuthAge":"3600","aws:EpochTime":"1"},
				"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
				"Bool":{"aws:SecureTransport":"true"},
				"StringLike":{"aws:username":"x*"},
				"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x","aws:SourceArn":"arn:aws:sns:*:*:t"},
				"Null":{"aws:MultiFactorAuthAge":"true"},
				"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}}`),
			nil},

		{"ForAllValues on a single-valued key fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:username":["a","b"]}}}`),
			[]brief{{SW, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "Statement[0].Condition.ForAllValues:StringEquals.aws:username"}}},
		{"ForAllValues on a multivalued key does not fire", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}}`),
			nil},

		{"PassRole with star resource fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`),
			[]brief{{SW, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource"}}},
		{"PassRole with role/* fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":["iam:passrole"],"Resource":["arn:aws:iam::111122223333:role/app","arn:aws:iam::111122223333:role/*"]}`),
			[]brief{{SW, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource[1]"}, {S, "REDUNDANT_RESOURCE", "Statement[0].Resource[0]"}}},
		{"PassRole with specific role does not fire", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"iam:PassRole","Resource":["arn:aws:iam::111122223333:role/app","arn:aws:iam::*:role/Service*"]}`), nil},
		{"PassRole with PassedToService does not fire", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}`), nil},
		{"Deny PassRole with star does not fire", policy.Identity,
			stmt(`{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}`), nil},
		{"star action and star resource fires both families", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`),
			[]brief{{W, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "Statement[0].Resource"}, {SW, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Statement[0].Resource"}}},
		{"CreateServiceLinkedRole with star resource fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*"}`),
			[]brief{{W, "CREATE_SLR_WITH_STAR_IN_RESOURCE", "Statement[0].Resource"}}},

		{"Allow with NotAction and star resource fires", policy.Identity,
			stmt(`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`),
			[]brief{{W, "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Statement[0].Resource"}, {SW, "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Statement[0].Resource"}}},
		{"Allow with NotAction excluding iam does not fire", policy.Identity,
			stmt(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`), nil},
		{"Deny with NotAction does not fire", policy.Identity,
			stmt(`{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}`), nil},

		{"Allow with NotResource fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::111122223333:role/admin"}`),
			[]brief{{SW, "PASS_ROLE_WITH_NOT_RESOURCE", "Statement[0].NotResource"}}},
		{"Allow with NotAction and NotResource fires", policy.Identity,
			stmt(`{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:iam::111122223333:role/admin"}`),
			[]brief{{W, "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Statement[0].NotResource"}, {SW, "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Statement[0].NotResource"}}},
		{"Allow with star action and NotResource fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::b"}`),
			[]brief{{W, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Statement[0].NotResource"}, {SW, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Statement[0].NotResource"}}},
		{"Allow with NotResource on other actions does not fire", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}`), nil},

		{"Allow with NotPrincipal fires", policy.Resource,
			stmt(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
			[]brief{{SW, "ALLOW_WITH_NOT_PRINCIPAL", "Statement[0].NotPrincipal"}}},
		{"Deny with NotPrincipal does not fire", policy.Resource,
			stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), nil},

		{"redundant action fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GetCredentialReport"],"Resource":"*"}`),
			[]brief{{S, "REDUNDANT_ACTION", "Statement[0].Action[2]"}}},
		{"duplicate action fires once", policy.Identity,
			stmt(`{"Effect":"Deny","Action":["s3:GetObject","s3:getobject"],"Resource":"*"}`),
			[]brief{{S, "REDUNDANT_ACTION", "Statement[0].Action[1]"}}},
		{"partly covered pattern does not fire", policy.Identity,
			stmt(`{"Effect":"Deny","Action":["iam:Get*","iam:*CredentialReport"],"Resource":"*"}`), nil},
		{"covered by the union of two entries fires", policy.Identity,
			stmt(`{"Effect":"Deny","Action":["iam:Get*","iam:Generate*","iam:*CredentialReport"],"Resource":"*"}`),
			[]brief{{S, "REDUNDANT_ACTION", "Statement[0].Action[2]"}}},

		{"empty condition array fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":[]},"ForAllValues:StringEquals":{"aws:TagKeys":[]},"ForAnyValue:StringEquals":{"aws:CalledVia":[]},"StringEqualsIfExists":{"aws:userid":[]}}}`),
			[]brief{
				{S, "EMPTY_ARRAY_CONDITION", "Statement[0].Condition.StringEquals.aws:username"},
				{S, "EMPTY_ARRAY_CONDITION_FORALLVALUES", "Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys"},
				{S, "EMPTY_ARRAY_CONDITION_FORANYVALUE", "Statement[0].Condition.ForAnyValue:StringEquals.aws:CalledVia"},
				{S, "EMPTY_ARRAY_CONDITION_IFEXISTS", "Statement[0].Condition.StringEqualsIfExists.aws:userid"},
			}},
		{"empty condition object fires", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{}}`),
			[]brief{{S, "EMPTY_OBJECT_CONDITION", "Statement[0].Condition"}}},
		{"empty action array fires beside IAM's error", policy.Identity,
			stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`),
			[]brief{{E, "MISSING_ACTION", ""}, {S, "EMPTY_ARRAY_ACTION", "Statement[0].Action"}}},
		{"empty resource array fires beside IAM's error", policy.Identity,
			stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[]}`),
			[]brief{{E, "MISSING_RESOURCE", ""}, {S, "EMPTY_ARRAY_RESOURCE", "Statement[0].Resource"}}},
		{"empty principal array fires", policy.Resource,
			stmt(`{"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
			[]brief{{E, "POLICY_SYNTAX", ""}, {S, "EMPTY_ARRAY_PRINCIPAL", "Statement[0].Principal.AWS"}}},
		{"empty Sid fires", policy.Resource,
			stmt(`{"Sid":"","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
			[]brief{{S, "EMPTY_SID_VALUE", "Statement[0].Sid"}}},
		{"non-empty arrays do not fire", policy.Identity,
			stmt(`{"Sid":"A","Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"],"Condition":{"StringEquals":{"aws:username":["a"]}}}`), nil},

		{"missing version fires", policy.Identity,
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
			[]brief{{W, "MISSING_VERSION", ""}}},
		{"2008 version does not fire", policy.Identity,
			`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, nil},

		{"not JSON is one syntax error", policy.Identity, `{"Version":`,
			[]brief{{E, "JSON_SYNTAX_ERROR", ""}}},
		{"principal in identity policy", policy.Identity,
			stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`),
			[]brief{{E, "UNSUPPORTED_PRINCIPAL", "Statement[0].Principal"}}},
		{"trust policy is not checked for PassRole", policy.Trust,
			stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.Lint(tt.doc, tt.kind, cat)
			if err != nil {
				t.Fatalf("Lint(%s): %v", tt.doc, err)
			}
			want := tt.want
			if want == nil {
				want = []brief{}
			}
			g := briefs(got)
			sort.Slice(g, func(i, j int) bool { return g[i].Code < g[j].Code })
			sort.Slice(want, func(i, j int) bool { return want[i].Code < want[j].Code })
			if diff := cmp.Diff(want, g); diff != "" {
				t.Errorf("Lint(%s) findings (-want +got):\n%s\nall: %+v", tt.doc, diff, got)
			}
		})
	}
}

func TestLintPositions(t *testing.T) {
	cat, _ := lintCatalog(t)
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n" +
		"    \"Action\": [\"s3:GetObject\", \"s3:Nope\"],\n    \"Resource\": \"*\"\n  }]\n}"
	got, err := policy.Lint(doc, policy.Identity, cat)
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(doc, `"s3:Nope"`)
	want := []policy.Finding{{
		Type: policy.FindingError, Code: policy.CodeInvalidAction, Message: "The action s3:Nope does not exist.",
		Statement: 0, Path: "Statement[0].Action[1]",
		Steps: []policy.PathStep{{Name: "Statement"}, {Index: 0}, {Name: "Action"}, {Index: 1}},
		Line:  5, Column: 32, Offset: start,
		EndLine: 5, EndColumn: 41, EndOffset: start + len(`"s3:Nope"`),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lint findings (-want +got):\n%s", diff)
	}
	if line := strings.Split(doc, "\n")[4]; line[want[0].Column-1:want[0].EndColumn-1] != `"s3:Nope"` {
		t.Errorf("column span %d-%d of %q is not the action", want[0].Column, want[0].EndColumn, line)
	}
}

func TestLintSyntaxErrorPosition(t *testing.T) {
	// An element IAM rejects is Access Analyzer's INVALID_POLICY_ELEMENT, at the place IAM names.
	doc := "{\"Version\":\"2012-10-17\",\n\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Bogus\":1}}"
	got, err := policy.Lint(doc, policy.Identity, policy.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	_, perr := policy.Parse(doc, policy.Identity)
	se, ok := perr.(*policy.SyntaxError)
	if !ok {
		t.Fatalf("Parse(%s) = %v, want a SyntaxError", doc, perr)
	}
	if len(got) != 1 || got[0].Line != se.Line || got[0].Column != se.Column || got[0].Code != policy.CodeInvalidPolicyElement {
		t.Fatalf("Lint = %+v, want one INVALID_POLICY_ELEMENT at %d:%d", got, se.Line, se.Column)
	}
	if off := got[0].Offset; !strings.HasPrefix(doc[off:], `"Bogus"`) {
		t.Errorf("offset %d points at %q, want the Bogus key", off, doc[off:])
	}
}

func TestLintFallsBackToIAMError(t *testing.T) {
	// IAM rejects the principal (an 11-digit account); no Access Analyzer check explains it, so
	// IAM's message is the finding, where IAM puts it.
	doc := stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::11112222333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	got, err := policy.Lint(doc, policy.Resource, policy.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	_, perr := policy.Parse(doc, policy.Resource)
	se, ok := perr.(*policy.SyntaxError)
	if !ok {
		t.Fatalf("Parse(%s) = %v, want a SyntaxError", doc, perr)
	}
	if len(got) != 1 || got[0].Code != policy.CodeInvalidPrincipal || got[0].Message != se.Message || got[0].Column != se.Column {
		t.Fatalf("Lint(%s) = %+v, want IAM's %q at %d:%d", doc, got, se.Message, se.Line, se.Column)
	}
}

func TestLintWithoutCatalog(t *testing.T) {
	// Without catalog lookups only the structural checks run.
	doc := `{"Statement":[{"Effect":"Allow","Action":["nosuch:Thing","iam:PassRole"],"Resource":"*","Condition":{"IpAddress":{"aws:nosuch":[]}}}]}`
	got, err := policy.Lint(doc, policy.Identity, policy.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{policy.FindingWarning, "MISSING_VERSION", ""},
		{policy.FindingSecurityWarning, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource"},
		{policy.FindingSuggestion, "EMPTY_ARRAY_CONDITION", "Statement[0].Condition.IpAddress.aws:nosuch"},
	}
	if diff := cmp.Diff(want, briefs(got)); diff != "" {
		t.Errorf("Lint(%s) (-want +got):\n%s", doc, diff)
	}
}

func TestLintInvalidKind(t *testing.T) {
	if _, err := policy.Lint(stmt(), policy.Kind(0), policy.Catalog{}); err == nil {
		t.Error("Lint with kind 0: no error")
	}
}

func TestSummarize(t *testing.T) {
	cat, c := lintCatalog(t)
	levels := func(patterns ...string) map[string]int {
		seen := map[string]*catalog.Action{}
		for _, p := range patterns {
			for _, a := range c.Match(p) {
				seen[strings.ToLower(a.String())] = a
			}
		}
		out := map[string]int{}
		for _, a := range seen {
			out[a.AccessLevel.String()]++
		}
		return out
	}
	notAction := func(patterns ...string) map[string]int {
		excluded := map[string]bool{}
		for _, p := range patterns {
			for _, a := range c.Match(p) {
				excluded[a.String()] = true
			}
		}
		out := map[string]int{}
		for _, a := range c.Match("*") {
			if !excluded[a.String()] {
				out[a.AccessLevel.String()]++
			}
		}
		return out
	}
	doc, err := policy.Parse(stmt(
		`{"Sid":"Read","Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GetUser"],"Resource":"*"}`,
		`{"Effect":"Deny","NotAction":["s3:*","iam:*"],"Resource":"*"}`,
	), policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	got := policy.Summarize(doc, cat)
	if len(got) != 2 {
		t.Fatalf("Summarize: %d statements, want 2", len(got))
	}
	for i, want := range []map[string]int{levels("iam:Get*", "iam:List*"), notAction("s3:*", "iam:*")} {
		if diff := cmp.Diff(want, got[i].Levels); diff != "" {
			t.Errorf("statement %d levels (-want +got):\n%s", i, diff)
		}
		n := 0
		for _, v := range want {
			n += v
		}
		if len(got[i].Actions) != n {
			t.Errorf("statement %d: %d actions, want %d", i, len(got[i].Actions), n)
		}
	}
	if got[0].Sid != "Read" || got[0].Effect != policy.Allow || got[1].Effect != policy.Deny {
		t.Errorf("statement identity = %+v / %+v", got[0], got[1])
	}
	if !sort.SliceIsSorted(got[0].Actions, func(a, b int) bool {
		return strings.ToLower(got[0].Actions[a]) < strings.ToLower(got[0].Actions[b])
	}) {
		t.Errorf("actions not sorted: %v", got[0].Actions)
	}
}

func TestLintSpans(t *testing.T) {
	cat, _ := lintCatalog(t)
	tests := []struct {
		name, doc, code, at string
	}{
		{"escaped quote in an action", stmt(`{"Effect":"Allow","Action":"s3:Get\"Object","Resource":"arn:aws:s3:::b"}`),
			"INVALID_ACTION", `"s3:Get\"Object"`},
		{"nested NotResource array", stmt(`{"Effect":"Allow","Action":"iam:PassRole","NotResource":["arn:aws:iam::1:role/{x}", "arn:aws:iam::1:role/[y]"]}`),
			"PASS_ROLE_WITH_NOT_RESOURCE", `["arn:aws:iam::1:role/{x}", "arn:aws:iam::1:role/[y]"]`},
		{"empty principal object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{ },"Action":"s3:GetObject","Resource":"*"}}`,
			"EMPTY_OBJECT_PRINCIPAL", `{ }`},
		{"empty operator object is no finding", stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}, "Bool":{}}}`),
			"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.Lint(tt.doc, policy.Resource, cat)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got {
				if f.Code == tt.code {
					if span := tt.doc[f.Offset:f.EndOffset]; span != tt.at {
						t.Errorf("Lint(%s) %s spans %q, want %q", tt.doc, f.Code, span, tt.at)
					}
					return
				}
				if f.Type != policy.FindingError {
					t.Errorf("Lint(%s): unexpected %s at %s", tt.doc, f.Code, f.Path)
				}
			}
			if tt.code != "" {
				t.Errorf("Lint(%s) = %+v, want a %s finding", tt.doc, got, tt.code)
			}
		})
	}
}

func TestLintSkipsKinds(t *testing.T) {
	cat, _ := lintCatalog(t)
	// SCPs and RCPs grant nothing, so the PassRole checks do not apply to them.
	doc := stmt(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`)
	for _, kind := range []policy.Kind{policy.SCP, policy.RCP} {
		got, err := policy.Lint(doc, kind, cat)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range got {
			if strings.HasPrefix(f.Code, "PASS_ROLE") {
				t.Errorf("Lint(%s, %v) = %s, want no PassRole finding", doc, kind, f.Code)
			}
		}
	}
	got, err := policy.Lint(doc, policy.Session, cat)
	if err != nil || len(got) != 1 || got[0].Code != "PASS_ROLE_WITH_STAR_IN_RESOURCE" {
		t.Errorf("Lint(%s, Session) = %+v, %v; want PASS_ROLE_WITH_STAR_IN_RESOURCE", doc, got, err)
	}
}

func TestSummarizeWithoutCatalog(t *testing.T) {
	doc, err := policy.Parse(stmt(`{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}`), policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	got := policy.Summarize(doc, policy.Catalog{})
	if len(got) != 1 || len(got[0].Actions) != 0 {
		t.Errorf("Summarize without a catalog = %+v, want one empty statement", got)
	}
}

// FuzzLint checks that Lint never panics, even on documents Parse rejects, and that every
// span lies within the text with positions that agree with its offsets.
func FuzzLint(f *testing.F) {
	cat, _ := lintCatalog(f)
	for _, s := range []string{
		stmt(`{"Effect":"Allow","Action":["iam:Get*","iam:GetUser",""],"Resource":"*","Condition":{"ForAllValues:IpAddress":{"aws:username":[]}}}`),
		`{"Statement":{"Effect":"Allow","NotAction":"s3:*","NotResource":[],"Principal":{"AWS":[]},"Condition":{}}}`,
		`{"Statement":[1,{"Action":7,"Resource":{},"Condition":{"StringEquals":3}}]}`,
		"{\n\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"\",\"Effect\":\"Allow\",\"Action\":\"s3:\\u0047et\",\"Resource\":\"*\"}}",
		`[]`, `{`, ``,
	} {
		f.Add(s, uint8(policy.Identity))
	}
	for _, c := range checklist {
		if c.fire.doc != "" && len(c.fire.doc) < 2000 {
			f.Add(c.fire.doc, uint8(c.fire.kind-1))
		}
	}
	f.Fuzz(func(t *testing.T, doc string, k uint8) {
		kind := policy.Kind(k%7 + 1)
		got, err := policy.Lint(doc, kind, cat)
		if err != nil {
			t.Fatalf("Lint(%q, %v): %v", doc, kind, err)
		}
		for _, fd := range got {
			if fd.Line == 0 {
				continue
			}
			if fd.Offset < 0 || fd.EndOffset > len(doc) || fd.Offset > fd.EndOffset {
				t.Fatalf("Lint(%q): %s span %d-%d outside the text", doc, fd.Code, fd.Offset, fd.EndOffset)
			}
			line := strings.Count(doc[:fd.Offset], "\n") + 1
			if fd.Line != line {
				t.Fatalf("Lint(%q): %s at line %d, offset %d is on line %d", doc, fd.Code, fd.Line, fd.Offset, line)
			}
		}
	})
}

func BenchmarkLint(b *testing.B) {
	cat, _ := lintCatalog(b)
	doc := stmt(
		`{"Sid":"Read","Effect":"Allow","Action":["s3:Get*","s3:List*","s3:GetObject","ec2:Describe*"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}}`,
		`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}`,
		`{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}`,
	)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := policy.Lint(doc, policy.Identity, cat); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLint6KB lints a realistic identity policy of about 6 KB (fourteen statements with
// conditions, variables and ARNs of eight services) through the real catalog.
func BenchmarkLint6KB(b *testing.B) {
	cat, _ := lintCatalog(b)
	raw, err := os.ReadFile("testdata/lint/identity-6kb.json")
	if err != nil {
		b.Fatal(err)
	}
	doc := string(raw)
	fs, err := policy.Lint(doc, policy.Identity, cat)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range fs {
		b.Logf("%s %s %s: %s", f.Type, f.Code, f.Path, f.Message)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	// ns/op is wall time, which a loaded machine inflates; cpu-ns/op is the process's CPU time
	// (all threads, garbage collection included) per lint.
	start := lintCPUTime()
	for b.Loop() {
		if _, err := policy.Lint(doc, policy.Identity, cat); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lintCPUTime()-start)/float64(b.N), "cpu-ns/op")
}

// lintCPUTime is the process's user and system CPU time in nanoseconds.
func lintCPUTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func TestLintWithUnknownResourceType(t *testing.T) {
	if _, err := policy.LintWith(stmt(), policy.Resource, policy.Catalog{}, policy.LintOptions{ResourceType: "AWS::S3::Nope"}); err == nil {
		t.Error("LintWith with resource type AWS::S3::Nope: no error")
	}
}

// TestLintRealistic lints policies written the way AWS's documentation recommends: they must
// yield exactly the findings listed (most none), so that the checks do not cry wolf.
func TestLintRealistic(t *testing.T) {
	cat, _ := lintCatalog(t)
	tests := []struct {
		file, resourceType string
		kind               policy.Kind
		want               []brief
	}{
		{"trust-github.json", "", policy.Trust, nil},
		{"trust-services.json", "AWS::IAM::AssumeRolePolicyDocument", policy.Trust, nil},
		{"bucket-policy.json", "AWS::S3::Bucket", policy.Resource, nil},
		{"scp-regions.json", "", policy.SCP, nil},
		{"rcp-perimeter.json", "", policy.RCP, nil},
		{"identity-6kb.json", "", policy.Identity, []brief{
			{policy.FindingError, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "Statement[1].Condition.StringEquals.s3:x-amz-server-side-encryption"},
			{policy.FindingError, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "Statement[1].Condition.StringEquals.s3:x-amz-server-side-encryption-aws-kms-key-id"},
			{policy.FindingSuggestion, "REDUNDANT_RESOURCE", "Statement[9].Resource[1]"},
			{policy.FindingError, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "Statement[12].Condition.ArnEquals.ecs:cluster"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/lint/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := policy.LintWith(string(raw), tt.kind, cat, policy.LintOptions{ResourceType: tt.resourceType})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = []brief{}
			}
			if diff := cmp.Diff(want, briefs(got)); diff != "" {
				t.Errorf("Lint(%s, %v) (-want +got):\n%s\nall: %+v", tt.file, tt.kind, diff, got)
			}
		})
	}
}

// TestLintIAMRejections covers IAM's rejections that come before any Access Analyzer check.
func TestLintIAMRejections(t *testing.T) {
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
		want []brief
	}{
		{"control character", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/` + "\x01" + `"}`),
			[]brief{{policy.FindingError, "POLICY_SYNTAX", ""}}},
		{"too large", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`) + strings.Repeat(" ", policy.MaxDocumentBytes),
			[]brief{{policy.FindingError, "POLICY_SYNTAX", ""}}},
		{"trust policy not JSON", policy.Trust, `{"Version"`,
			[]brief{{policy.FindingError, "JSON_SYNTAX_ERROR", ""}}},
		{"not an object", policy.Identity, `[1]`,
			[]brief{{policy.FindingError, "DATA_TYPE_MISMATCH", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.Lint(tt.doc, tt.kind, policy.Catalog{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, briefs(got)); diff != "" {
				t.Errorf("Lint(%.60q) (-want +got):\n%s", tt.doc, diff)
			}
		})
	}
}

// TestLintSensitiveKeys covers the three messages of the *_USAGE_TOO_PERMISSIVE errors.
func TestLintSensitiveKeys(t *testing.T) {
	tests := []struct {
		name, cond, code, msgPart string
	}{
		{"wildcard in an ID key", `"StringLike":{"aws:PrincipalOrgID":"o-*"}`, "WILDCARD_USAGE_TOO_PERMISSIVE", "not allowed in the condition key aws:PrincipalOrgID"},
		{"short prefix before wildcard", `"ArnLike":{"aws:PrincipalArn":"arn:*"}`, "WILDCARD_USAGE_TOO_PERMISSIVE", "preceded by 6 consecutive characters"},
		{"wildcard left of the userid colon", `"StringLike":{"aws:userid":"AROA*"}`, "WILDCARD_USAGE_TOO_PERMISSIVE", "with aws:userID"},
		{"wildcard right of the userid colon", `"StringLike":{"aws:userid":"AROAEXAMPLE:*"}`, "", ""},
		{"variable as the userid session", `"StringLike":{"aws:userid":"AROAEXAMPLE:${aws:username}"}`, "", ""},
		{"variable left of the userid colon", `"StringLike":{"aws:userid":"${aws:username}"}`, "VARIABLE_USAGE_TOO_PERMISSIVE", "with aws:userID"},
		{"variable in an ID key", `"StringLike":{"aws:SourceAccount":"${aws:PrincipalAccount}"}`, "VARIABLE_USAGE_TOO_PERMISSIVE", "policy variable is not allowed"},
		{"equality is not a pattern", `"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}`, "", ""},
		{"negated in an Allow narrows", `"StringNotLike":{"aws:PrincipalOrgID":"o-*"}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := stmt(allowCond("s3:GetObject", tt.cond))
			got, err := policy.Lint(doc, policy.Identity, policy.Catalog{})
			if err != nil {
				t.Fatal(err)
			}
			var found *policy.Finding
			for i := range got {
				if strings.HasSuffix(got[i].Code, "_USAGE_TOO_PERMISSIVE") {
					found = &got[i]
				}
			}
			switch {
			case tt.code == "" && found != nil:
				t.Errorf("Lint(%s) = %s %q, want none", doc, found.Code, found.Message)
			case tt.code != "" && (found == nil || found.Code != tt.code || !strings.Contains(found.Message, tt.msgPart)):
				t.Errorf("Lint(%s) = %+v, want %s containing %q", doc, found, tt.code, tt.msgPart)
			}
		})
	}
}

// TestLintLocations checks where findings point: the element, key or value to blame, with its
// path, as Access Analyzer's locations do.
func TestLintLocations(t *testing.T) {
	cat, _ := lintCatalog(t)
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
		code string
		path string
		at   string
	}{
		{"missing effect: the statement", policy.Identity, stmt(`{"Action":"s3:GetObject","Resource":"*"}`),
			"MISSING_EFFECT", "Statement[0]", `{`},
		{"invalid element: its key", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Bogus":1}`),
			"INVALID_POLICY_ELEMENT", "Statement[0].Bogus", `"Bogus"`},
		{"element combination: the second element", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}`),
			"UNSUPPORTED_ELEMENT_COMBINATION", "Statement[0].NotAction", `"NotAction":"s3:PutObject"`},
		{"value type: the value", policy.Identity, stmt(allowCond("s3:GetObject", `"Bool":{"aws:SecureTransport":["true","yes"]}`)),
			"TYPE_MISMATCH_BOOLEAN", "Statement[0].Condition.Bool.aws:SecureTransport[1]", `"yes"`},
		{"duplicate key: the second key", policy.Identity, stmt(allowCond("s3:GetObject", `"StringEquals":{"aws:username":"a","aws:USERNAME":"b"}`)),
			"DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "Statement[0].Condition.StringEquals.aws:USERNAME", `"aws:USERNAME"`},
		{"ARN region: the ARN", policy.Identity, stmt(allowRes("lambda:GetFunction", "arn:aws:lambda:mars-1:111122223333:function:f")),
			"INVALID_ARN_REGION", "Statement[0].Resource[0]", `"arn:aws:lambda:mars-1:111122223333:function:f"`},
		{"redundant statement: the later one", policy.Identity, stmt(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, `{"Sid":"B","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`),
			"REDUNDANT_STATEMENT", "Statement[1]", `{"Sid":"B","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`},
		{"trust wildcard: the principal", policy.Trust, stmt(trustStmt(`{"AWS":"*"}`, `"sts:AssumeRole"`, "")),
			"ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "Statement[0].Principal.AWS", `"*"`},
		{"duplicate Sid: the later Sid", policy.Identity, stmt(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`, `{"Sid":"A","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}`),
			"UNIQUE_SIDS_REQUIRED", "Statement[1].Sid", `"A"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.Lint(tt.doc, tt.kind, cat)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got {
				if f.Code != tt.code {
					continue
				}
				if f.Path != tt.path || tt.doc[f.Offset:f.EndOffset] != tt.at {
					t.Errorf("Lint(%s) %s at %s %q, want %s %q", tt.doc, f.Code, f.Path, tt.doc[f.Offset:f.EndOffset], tt.path, tt.at)
				}
				return
			}
			t.Errorf("Lint(%s) = %v, want %s", tt.doc, briefs(got), tt.code)
		})
	}
}

func TestLintJSONSyntaxMessage(t *testing.T) {
	doc := "{\n  \"Version\": }"
	got, err := policy.Lint(doc, policy.Identity, policy.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Fix the JSON syntax error at index 15 line 2 column 14."
	if len(got) != 1 || got[0].Code != policy.CodeJSONSyntax || got[0].Message != want {
		t.Errorf("Lint(%q) = %+v, want one JSON_SYNTAX_ERROR %q", doc, got, want)
	}
}

// TestLintTagKeyPlaceholders: the Service Authorization Reference writes some services' tag
// condition keys with text where others have ${TagKey} (secretsmanager:ResourceTag/tag-key,
// ssm:resourceTag/tag-key, s3:ExistingObjectTag/<key>); a policy naming a tag there, as AWS's
// documentation does, has no finding, and a key that does not exist still has one.
func TestLintTagKeyPlaceholders(t *testing.T) {
	cat, _ := lintCatalog(t)
	for _, tt := range []struct {
		name, action, resource, key string
		want                        []brief
	}{
		{"S3 object tag", "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*", "s3:ExistingObjectTag/security", []brief{}},
		{"S3 request object tag", "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/*", "s3:RequestObjectTag/project", []brief{}},
		{"Secrets Manager resource tag", "secretsmanager:GetSecretValue", "*", "secretsmanager:ResourceTag/team", []brief{}},
		{"Systems Manager resource tag", "ssm:GetParameter", "*", "ssm:resourceTag/team", []brief{}},
		{"no tag key", "secretsmanager:GetSecretValue", "*", "secretsmanager:ResourceTag/", []brief{
			{policy.FindingError, "MISSING_TAG_KEY_IN_CONDITION", "Statement[0].Condition.StringEquals.secretsmanager:ResourceTag/"}}},
		{"not a key", "secretsmanager:GetSecretValue", "*", "secretsmanager:SecretTag/team", []brief{
			{policy.FindingError, "INVALID_SERVICE_CONDITION_KEY", "Statement[0].Condition.StringEquals.secretsmanager:SecretTag/team"}}},
		{"an action without the key", "s3:ListAllMyBuckets", "*", "s3:ExistingObjectTag/security", []brief{
			{policy.FindingError, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "Statement[0].Condition.StringEquals.s3:ExistingObjectTag/security"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + tt.action + `","Resource":"` + tt.resource +
				`","Condition":{"StringEquals":{"` + tt.key + `":"blue"}}}]}`
			got, err := policy.Lint(doc, policy.Identity, cat)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, briefs(got)); diff != "" {
				t.Errorf("Lint(%s) (-want +got):\n%s\nall: %+v", doc, diff, got)
			}
		})
	}
}
