package exposure

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/policy"
)

const own = "123456789012"

// brief is the part of a finding the table checks; the witness is checked with the engine.
type brief struct {
	Statement int
	Access    Access
	Severity  Severity
	Principal string
	External  string
	Caller    string            // Witness.PrincipalType
	Context   map[string]string // keys the witness context must hold, with their first value
}

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
		want []brief
	}{
		{
			name: "public bucket",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}`),
			want: []brief{{0, Public, High, "*", "*", "Anonymous", nil}},
		},
		{
			name: "public trust policy",
			kind: policy.Trust,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`),
			want: []brief{{0, Public, High, "AWS:*", "*", "User", nil}},
		},
		{
			name: "cross-account root",
			kind: policy.Trust,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`),
			want: []brief{{0, CrossAccount, Medium, "AWS:arn:aws:iam::111122223333:root", "111122223333", "User", nil}},
		},
		{
			name: "cross-account role and own account",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:role/reader","` + own + `"]},"Action":"s3:Get*","Resource":"arn:aws:s3:::data/*"}`),
			want: []brief{{0, CrossAccount, Medium, "AWS:arn:aws:iam::444455556666:role/reader", "444455556666", "RoleSession", nil}},
		},
		{
			name: "own account only",
			kind: policy.Trust,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + own + `:root"},"Action":"sts:AssumeRole"}`),
		},
		{
			name: "star restricted to the account by condition",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + own + `"}}}`),
		},
		{
			name: "star restricted to another account by condition",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":["` + own + `","210987654321"]}}}`),
			want: []brief{{0, CrossAccount, Medium, "*", "210987654321", "Root", map[string]string{"aws:PrincipalAccount": "210987654321"}}},
		},
		{
			name: "organization restricted",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}`),
			want: []brief{{0, Organization, Low, "AWS:*", "organization o-a1b2c3d4e5", "Root", map[string]string{"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
		},
		{
			name: "external id gated",
			kind: policy.Trust,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique-ID-4f8a"}}}`),
			want: []brief{{0, CrossAccount, Medium, "AWS:111122223333", "111122223333", "User", map[string]string{"sts:ExternalId": "Unique-ID-4f8a"}}},
		},
		{
			name: "github oidc with sub",
			kind: policy.Trust,
			doc: doc(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + own + `:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
				"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}}`),
			want: []brief{{0, Federated, Medium, "Federated:arn:aws:iam::" + own + ":oidc-provider/token.actions.githubusercontent.com",
				"arn:aws:iam::" + own + ":oidc-provider/token.actions.githubusercontent.com", "Federated",
				map[string]string{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:witness"}}},
		},
		{
			name: "github oidc without sub",
			kind: policy.Trust,
			doc: doc(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + own + `:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
				"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}`),
			want: []brief{{0, Federated, High, "Federated:arn:aws:iam::" + own + ":oidc-provider/token.actions.githubusercontent.com",
				"arn:aws:iam::" + own + ":oidc-provider/token.actions.githubusercontent.com", "Federated",
				map[string]string{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}},
		},
		{
			name: "saml provider",
			kind: policy.Trust,
			doc: doc(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + own + `:saml-provider/ExampleOrgSSOProvider"},"Action":"sts:AssumeRoleWithSAML",
				"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`),
			want: []brief{{0, Federated, Medium, "Federated:arn:aws:iam::" + own + ":saml-provider/ExampleOrgSSOProvider",
				"arn:aws:iam::" + own + ":saml-provider/ExampleOrgSSOProvider", "Federated", map[string]string{"SAML:aud": "https://signin.aws.amazon.com/saml"}}},
		},
		{
			name: "cognito identity pool",
			kind: policy.Trust,
			doc: doc(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",
				"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:12345678-abcd-abcd-abcd-123456789012"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}`),
			want: []brief{{0, Federated, Medium, "Federated:cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com", "Federated",
				map[string]string{"cognito-identity.amazonaws.com:amr": "authenticated"}}},
		},
		{
			name: "org condition on an anonymous caller never holds",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"Null":{"aws:PrincipalTag/team":"false"}}}`),
			want: []brief{{0, Organization, Low, "*", "organization o-a1b2c3d4e5", "Root", map[string]string{"aws:PrincipalTag/team": "witness"}}},
		},
		{
			name: "service without source account",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:` + own + `:events"}`),
			want: []brief{{0, Service, Medium, "Service:s3.amazonaws.com", "s3.amazonaws.com for any account", "Service", nil}},
		},
		{
			name: "service in a trust policy",
			kind: policy.Trust,
			doc:  doc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`),
			want: []brief{{0, Service, Low, "Service:ec2.amazonaws.com", "ec2.amazonaws.com for any account", "Service", nil}},
		},
		{
			name: "service limited to the own account",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sns:Publish","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"` + own + `"}}}`),
		},
		{
			name: "service limited to the own account by a deny",
			kind: policy.Resource,
			doc: doc(`{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}`,
				`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceAccount":"`+own+`"}}}`),
		},
		{
			name: "service acting for another account",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sns:Publish","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:us-east-1:111122223333:*"}}}`),
			want: []brief{{0, Service, Low, "Service:s3.amazonaws.com", "s3.amazonaws.com for 111122223333", "Service", map[string]string{"aws:SourceArn": "arn:aws:s3:us-east-1:111122223333:witness"}}},
		},
		{
			name: "not principal allow",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::` + own + `:root"},"Action":"s3:GetObject","Resource":"*"}`),
			want: []brief{{0, Public, High, "NotPrincipal", "*", "Anonymous", nil}},
		},
		{
			name: "deny cancels outside the account",
			kind: policy.Resource,
			doc: doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`,
				`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"`+own+`"}}}`),
		},
		{
			name: "deny of every action",
			kind: policy.Trust,
			doc: doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`,
				`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"sts:*"}`),
		},
		{
			name: "deny escaped with the right value",
			kind: policy.Resource,
			doc: doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`,
				`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}`),
			want: []brief{{0, Public, High, "*", "*", "Anonymous", map[string]string{"aws:SourceVpce": "vpce-1a2b3c4d"}}},
		},
		{
			name: "principal arn pattern in any account",
			kind: policy.Trust,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/deployer"}}}`),
			want: []brief{{0, Public, High, "AWS:*", "*", "RoleSession", map[string]string{"aws:PrincipalArn": "arn:aws:iam::999988887777:role/deployer"}}},
		},
		{
			name: "source ip and secure transport",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:SecureTransport":"true"}}}`),
			want: []brief{{0, Public, High, "*", "*", "Anonymous", map[string]string{"aws:SourceIp": "203.0.113.1", "aws:SecureTransport": "true"}}},
		},
		{
			name: "not action",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"NotAction":["s3:Delete*","sts:*"],"Resource":"*"}`),
			want: []brief{{0, CrossAccount, Medium, "AWS:111122223333", "111122223333", "Root", nil}},
		},
		{
			name: "deny statements only",
			kind: policy.Resource,
			doc:  doc(`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`),
		},
		{
			name: "two principals, one finding each",
			kind: policy.Trust,
			doc: doc(`{"Sid":"Partners","Effect":"Allow","Principal":{"AWS":["111122223333","444455556666"],"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole",
				"Condition":{"StringEquals":{"aws:SourceAccount":"` + own + `"}}}`),
			want: []brief{
				{0, CrossAccount, Medium, "AWS:111122223333", "111122223333", "User", nil},
				{0, CrossAccount, Medium, "AWS:444455556666", "444455556666", "User", nil},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Analyze(tt.doc, tt.kind, own)
			if err != nil {
				t.Fatalf("Analyze(%s): %v", tt.doc, err)
			}
			var briefs []brief
			for _, f := range got {
				b := brief{f.Statement, f.Access, f.Severity, f.Principal, f.External, f.Witness.PrincipalType, nil}
				for _, w := range tt.want {
					if w.Principal == f.Principal && w.Context != nil {
						b.Context = map[string]string{}
						for k := range w.Context {
							if v, ok := lookup(f.Witness.Context, k); ok {
								b.Context[k] = v
							}
						}
					}
				}
				briefs = append(briefs, b)
				confirm(t, tt.doc, tt.kind, own, f)
			}
			if diff := cmp.Diff(tt.want, briefs); diff != "" {
				t.Errorf("Analyze(%s) (-want +got):\n%s", tt.doc, diff)
			}
		})
	}
}

// confirm re-checks a finding's witness with the engine, independently of Analyze: the policy
// compiled afresh must allow the witness's request.
func confirm(t *testing.T, text string, kind policy.Kind, account string, f Finding) {
	t.Helper()
	d, err := policy.Parse(text, kind)
	if err != nil {
		t.Fatal(err)
	}
	c, err := policy.Compile(d, kind, policy.PolicyRef{})
	if err != nil {
		t.Fatal(err)
	}
	if dec := policy.Evaluate(f.Witness.Input(c)); !dec.Allowed() {
		t.Errorf("witness %+v of %s: engine says %v, want Allow", f.Witness, text, dec.Effect)
	}
	if f.Witness.Account == account || f.Witness.ResourceAccount != account {
		t.Errorf("witness %+v: caller in, or resource outside, the analyzed account %s", f.Witness, account)
	}
	if f.Reason == "" || len(f.Actions) == 0 {
		t.Errorf("finding %+v lacks a reason or actions", f)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		kind    policy.Kind
		account string
	}{
		{"identity kind", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`), policy.Identity, own},
		{"bad account", doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), policy.Resource, "12345"},
		{"syntax", `{"Statement":`, policy.Resource, own},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Analyze(tt.doc, tt.kind, tt.account); err == nil {
				t.Errorf("Analyze(%s, %v, %q) = %v, want an error", tt.doc, tt.kind, tt.account, got)
			}
		})
	}
}

func TestAnalyzeDeterministic(t *testing.T) {
	d := doc(`{"Effect":"Allow","Principal":{"AWS":["111122223333","*"]},"Action":["s3:GetObject","s3:PutObject"],"Resource":"*",
		"Condition":{"StringLike":{"aws:PrincipalTag/team":"a*"},"NumericLessThan":{"s3:max-keys":"10"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}`)
	first, err := Analyze(d, policy.Resource, own)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 {
		t.Fatalf("Analyze(%s) = %d findings, want 2", d, len(first))
	}
	for i := 0; i < 5; i++ {
		again, err := Analyze(d, policy.Resource, own)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("Analyze is not deterministic (-first +again):\n%s", diff)
		}
	}
	for _, f := range first {
		confirm(t, d, policy.Resource, own, f)
	}
}

func BenchmarkAnalyze(b *testing.B) {
	d := doc(`{"Effect":"Allow","Principal":{"AWS":["111122223333","*"]},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*",
		"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"Bool":{"aws:SecureTransport":"true"}}}`,
		`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}`)
	for b.Loop() {
		if _, err := Analyze(d, policy.Resource, own); err != nil {
			b.Fatal(err)
		}
	}
}
