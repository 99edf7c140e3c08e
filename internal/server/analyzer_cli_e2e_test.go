package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAWSCLIAccessAnalyzer: `aws accessanalyzer validate-policy --endpoint-url …` against iamd
// (issue 9), and the CLI's view of a denied caller and of a policy generation job.
func TestAWSCLIAccessAnalyzer(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	run := func(args ...string) string {
		t.Helper()
		out, errOut, ok := awsCLI(t, srv, rootKey, rootSecret, args...)
		if !ok {
			t.Fatalf("aws %s: %s", strings.Join(args, " "), errOut)
		}
		return out
	}
	type finding struct {
		FindingType, IssueCode, FindingDetails, LearnMoreLink string
		Locations                                             []struct {
			Path []map[string]any
			Span struct {
				Start, End struct{ Line, Column, Offset int }
			}
		}
	}
	var out struct{ Findings []finding }
	for _, tc := range []struct {
		name, doc, typ string
		want           []string // findingType/issueCode
	}{
		{"good", goodPolicy, "IDENTITY_POLICY", nil},
		{"bad actions", badPolicy, "IDENTITY_POLICY", []string{"ERROR/INVALID_ACTION", "ERROR/INVALID_ACTION", "ERROR/INVALID_ACTION"}},
		{"resource policy without principal", goodPolicy, "RESOURCE_POLICY", []string{"ERROR/MISSING_PRINCIPAL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := run("accessanalyzer", "validate-policy", "--policy-type", tc.typ, "--policy-document", tc.doc)
			out.Findings = nil
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				t.Fatalf("validate-policy output is not JSON: %v\n%s", err, raw)
			}
			var got []string
			for _, f := range out.Findings {
				got = append(got, f.FindingType+"/"+f.IssueCode)
				if f.FindingDetails == "" || f.LearnMoreLink == "" || len(f.Locations) != 1 || len(f.Locations[0].Path) == 0 {
					t.Errorf("finding without details, link or location: %+v", f)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("validate-policy %s findings = %v, want %v\n%s", tc.typ, got, tc.want, raw)
			}
		})
	}

	// The CLI's own pagination over nextToken gives the same findings.
	raw := run("accessanalyzer", "validate-policy", "--policy-type", "IDENTITY_POLICY", "--policy-document", badPolicy, "--page-size", "1")
	out.Findings = nil
	if err := json.Unmarshal([]byte(raw), &out); err != nil || len(out.Findings) != 3 {
		t.Errorf("validate-policy --page-size 1: %d findings (%v), want 3\n%s", len(out.Findings), err, raw)
	}

	// Bad input and a denied caller come back as Access Analyzer's exceptions.
	_, errOut, ok := awsCLI(t, srv, rootKey, rootSecret, "accessanalyzer", "validate-policy", "--policy-type", "FOO", "--policy-document", goodPolicy)
	if ok || !strings.Contains(errOut, "ValidationException") || !strings.Contains(errOut, "policyType") {
		t.Errorf("validate-policy --policy-type FOO: ok=%v stderr=%s", ok, errOut)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	run("iam", "create-user", "--user-name", "dan")
	if err := json.Unmarshal([]byte(run("iam", "create-access-key", "--user-name", "dan")), &key); err != nil {
		t.Fatal(err)
	}
	_, errOut, ok = awsCLI(t, srv, key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey, "accessanalyzer", "validate-policy", "--policy-type", "IDENTITY_POLICY", "--policy-document", goodPolicy)
	if ok || !strings.Contains(errOut, "AccessDeniedException") || !strings.Contains(errOut, "access-analyzer:ValidatePolicy") {
		t.Errorf("validate-policy as dan: ok=%v stderr=%s", ok, errOut)
	}

	// A policy generation job for dan, through to its (empty: dan did nothing allowed) policy.
	var started struct{ JobId string }
	if err := json.Unmarshal([]byte(run("accessanalyzer", "start-policy-generation", "--policy-generation-details", "principalArn=arn:aws:iam::"+testAccount+":user/dan")), &started); err != nil || len(started.JobId) != 36 {
		t.Fatalf("start-policy-generation: %+v, %v", started, err)
	}
	var got struct {
		JobDetails            struct{ JobId, Status string }
		GeneratedPolicyResult struct {
			Properties struct{ PrincipalArn string }
		}
	}
	for got.JobDetails.Status == "" || got.JobDetails.Status == "IN_PROGRESS" {
		if err := json.Unmarshal([]byte(run("accessanalyzer", "get-generated-policy", "--job-id", started.JobId)), &got); err != nil {
			t.Fatal(err)
		}
	}
	if got.JobDetails.Status != "SUCCEEDED" || got.GeneratedPolicyResult.Properties.PrincipalArn != "arn:aws:iam::"+testAccount+":user/dan" {
		t.Errorf("get-generated-policy: %+v", got)
	}
	if list := run("accessanalyzer", "list-policy-generations"); !strings.Contains(list, started.JobId) {
		t.Errorf("list-policy-generations does not show %s:\n%s", started.JobId, list)
	}
}
