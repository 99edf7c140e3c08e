package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/policy"
)

// The -update flag rewrites the golden files. It is registered only if no other test file of
// the package has registered it, and read when used, so golden tests can share it.
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
	return true
}()

func explainUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// explainCases are policies from AWS's documentation (S3 bucket policy examples, SNS topic
// policy for S3 event notifications, the external ID and GitHub OIDC role guides, the IAM
// identity-based policy examples, the S3 object tagging examples), with the type and account
// to explain them with.
var explainCases = []struct {
	file, kind, account string
}{
	{"s3-public-read", "resource", "123456789012"},
	{"s3-organization", "resource", "123456789012"},
	{"s3-cross-account-tls", "resource", "123456789012"},
	{"s3-object-tag", "resource", "123456789012"},
	{"sns-s3-events", "resource", "123456789012"},
	{"trust-external-id", "trust", "123456789012"},
	{"trust-github-oidc", "trust", "123456789012"},
	{"trust-ec2", "trust", ""},
	{"identity-admin", "identity", ""},
	{"identity-not-action", "identity", ""},
	{"identity-rotate-keys", "identity", ""},
	{"identity-lambda-passrole", "identity", ""},
}

func explainArgs(file, kind, account string, more ...string) []string {
	args := []string{"--type", kind}
	if account != "" {
		args = append(args, "--account", account)
	}
	return append(append(args, more...), filepath.Join("testdata", "explain", file+".json"))
}

func TestPolicyExplainGolden(t *testing.T) {
	for _, tc := range explainCases {
		t.Run(tc.file, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := policyExplain(explainArgs(tc.file, tc.kind, tc.account), nil, &out, &errOut); err != nil {
				t.Fatalf("explain %s: %v (stderr %q)", tc.file, err, errOut.String())
			}
			golden := filepath.Join("testdata", "explain", tc.file+".golden")
			if explainUpdate() {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("explain %s (-%s +got):\n%s", tc.file, golden, diff)
			}
		})
	}
}

// TestPolicyExplainJSON checks that --json parses, agrees with the document and the text, and
// that every exposure witness is allowed by the engine.
func TestPolicyExplainJSON(t *testing.T) {
	for _, tc := range explainCases {
		t.Run(tc.file, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := policyExplain(explainArgs(tc.file, tc.kind, tc.account, "--json"), nil, &out, &errOut); err != nil {
				t.Fatalf("explain --json %s: %v (stderr %q)", tc.file, err, errOut.String())
			}
			var r explainReport
			dec := json.NewDecoder(&out)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("decode %s: %v", tc.file, err)
			}
			text, err := os.ReadFile(filepath.Join("testdata", "explain", tc.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			kind := policyKinds[tc.kind]
			doc, err := policy.Parse(string(text), kind)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Statements) != len(doc.Statements) || r.Kind != kind.String() {
				t.Errorf("%s: kind %q with %d statements, want %v with %d", tc.file, r.Kind, len(r.Statements), kind, len(doc.Statements))
			}
			for _, s := range r.Statements {
				sum := 0
				for _, n := range s.Levels {
					sum += n
				}
				if sum != s.Total || len(s.Actions) != s.Total || s.Total == 0 {
					t.Errorf("%s Statement[%d]: total %d, levels sum %d, %d actions", tc.file, s.Index, s.Total, sum, len(s.Actions))
				}
			}
			if len(r.Totals) == 0 {
				t.Errorf("%s: no totals", tc.file)
			}
			c, err := policy.Compile(doc, kind, policy.PolicyRef{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range r.Exposure {
				if d := policy.Evaluate(f.Witness.Input(c)); !d.Allowed() {
					t.Errorf("%s: witness %+v: engine says %v, want Allow", tc.file, f.Witness, d.Effect)
				}
			}
		})
	}
}

func TestPolicyExplainDangers(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // Code@Statement
	}{
		{"admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			[]string{"ALL_ACTIONS@0", "PERMISSIONS_MANAGEMENT@0", "PASSROLE_STAR@0", "ASSUME_ROLE_STAR@0", "WIDE_DATA_READ@0", "PRIVILEGE_ESCALATION@0"}},
		{"scoped read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, nil},
		{"wide read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::*"}]}`,
			[]string{"WIDE_DATA_READ@0"}},
		{"pass role on a named role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app"}]}`, nil},
		{"escalation across statements", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}`,
			[]string{"PRIVILEGE_ESCALATION@-1"}},
		{"escalation denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"*"},{"Effect":"Deny","Action":"iam:Put*","Resource":"*"}]}`, nil},
		{"not action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"arn:aws:s3:::b"}]}`,
			[]string{"ALLOW_NOT_ACTION@0", "PERMISSIONS_MANAGEMENT@0", "PRIVILEGE_ESCALATION@0"}},
		{"update trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:UpdateAssumeRolePolicy","iam:AttachUserPolicy"],"Resource":"arn:aws:iam::123456789012:role/x"}]}`,
			[]string{"PERMISSIONS_MANAGEMENT@0", "PRIVILEGE_ESCALATION@0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := explainPolicy(tt.doc, policy.Identity, "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range r.Dangers {
				got = append(got, d.Code+"@"+strconv.Itoa(d.Statement))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("dangers of %s (-want +got):\n%s", tt.doc, diff)
			}
		})
	}
}

func TestPolicyExplainErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no file", []string{"--type", "trust"}},
		{"unknown type", []string{"--type", "bucket", "testdata/explain/trust-ec2.json"}},
		{"bad account", []string{"--type", "trust", "--account", "1234", "testdata/explain/trust-ec2.json"}},
		{"missing file", []string{"testdata/explain/absent.json"}},
		{"not a policy", []string{"--type", "trust", "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := policyExplain(tt.args, strings.NewReader(`{"Statement":`), &out, &errOut); err == nil {
				t.Errorf("policyExplain(%q) = nil error, output %q", tt.args, out.String())
			}
		})
	}
}

// TestPolicyExplainCorpusValidates validates the policies from AWS's documentation that the
// explain tests use: they have no errors, and the findings are the ones AWS's checks give.
func TestPolicyExplainCorpusValidates(t *testing.T) {
	cat, err := lintcat.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{ // Code@Path
		"identity-admin": {"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE@Statement[0].Resource",
			"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE@Statement[0].Resource"},
		"identity-lambda-passrole": {"PASS_ROLE_WITH_STAR_IN_RESOURCE@Statement[1].Resource"},
		"trust-github-oidc":        {"SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED@Statement[0].Condition.StringLike.token.actions.githubusercontent.com:sub"},
	}
	for _, tc := range explainCases {
		t.Run(tc.file, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata", "explain", tc.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			fs, err := policy.Lint(string(text), policyKinds[tc.kind], cat)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, f := range fs {
				got = append(got, f.Code+"@"+f.Path)
			}
			w := want[tc.file]
			if w == nil {
				w = []string{}
			}
			if diff := cmp.Diff(w, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("Lint(%s, %s) (-want +got):\n%s\nall: %+v", tc.file, tc.kind, diff, fs)
			}
		})
	}
}
