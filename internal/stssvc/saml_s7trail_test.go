package stssvc

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/samlsp"
	"github.com/iamd-dev/iamd/internal/trail"
)

// TestSAMLParamsFields: the record's parameters have every member of the SDK input, of the same
// type, and newSAMLParams copies each of them.
func TestSAMLParamsFields(t *testing.T) {
	input := &sdk.AssumeRoleWithSAMLInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), PrincipalArn: aws.String("arn:aws:iam::123456789012:saml-provider/idp"),
		SAMLAssertion: aws.String("PHNhbWw+"), DurationSeconds: aws.Int32(900), MinimumSessionTokenSize: aws.Int32(1), Policy: aws.String("{}"),
		PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}}
	checkParamsCopy(t, "newSAMLParams", input, newSAMLParams(input, &samlsp.Assertion{ID: "_a1", RoleSessionName: "jane"}))
}

// TestSAMLRecordParams: AssumeRoleWithSAML's record shows what the assertion carried, as AWS's
// records do (IAM User Guide, "Logging IAM and AWS STS API calls with AWS CloudTrail" and
// "Passing session tags in AWS STS"): sAMLAssertionID, roleSessionName, principalTags and
// transitiveTagKeys when it has session tags, sourceIdentity when it sets one, durationSeconds
// when the request sent it, and never the assertion.
func TestSAMLRecordParams(t *testing.T) {
	const (
		role = "arn:aws:iam::123456789012:role/SAMLTestRoleShibboleth"
		prov = "arn:aws:iam::123456789012:saml-provider/Shibboleth"
	)
	tests := []struct {
		name string
		in   *sdk.AssumeRoleWithSAMLInput
		a    *samlsp.Assertion
		want map[string]any
	}{
		{"tags and duration (the User Guide's session tags example)",
			&sdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(role), PrincipalArn: aws.String(prov), SAMLAssertion: aws.String("PHNhbWw+"), DurationSeconds: aws.Int32(3600)},
			&samlsp.Assertion{ID: "_c0046cEXAMPLEb9d4b8eEXAMPLE2619aEXAMPLE", RoleSessionName: "MyRoleSessionName",
				Tags: map[string]string{"CostCenter": "987654", "Project": "Unicorn"}, TransitiveTagKeys: []string{"CostCenter", "Project"}},
			map[string]any{"sAMLAssertionID": "_c0046cEXAMPLEb9d4b8eEXAMPLE2619aEXAMPLE", "roleSessionName": "MyRoleSessionName",
				"principalTags": map[string]any{"CostCenter": "987654", "Project": "Unicorn"}, "transitiveTagKeys": []any{"CostCenter", "Project"},
				"durationSeconds": 3600.0, "roleArn": role, "principalArn": prov}},
		{"no tags, no duration",
			&sdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(role), PrincipalArn: aws.String(prov), SAMLAssertion: aws.String("PHNhbWw+")},
			&samlsp.Assertion{ID: "_a1", RoleSessionName: "jane@example.com"},
			map[string]any{"sAMLAssertionID": "_a1", "roleSessionName": "jane@example.com", "roleArn": role, "principalArn": prov}},
		{"source identity and a session policy",
			&sdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(role), PrincipalArn: aws.String(prov), SAMLAssertion: aws.String("PHNhbWw+"), Policy: aws.String("{}")},
			&samlsp.Assertion{ID: "_a2", RoleSessionName: "jane", SourceIdentity: "jane"},
			map[string]any{"sAMLAssertionID": "_a2", "roleSessionName": "jane", "sourceIdentity": "jane", "policy": "{}", "roleArn": role, "principalArn": prov}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := trail.Build(&trail.Call{Service: "sts", Action: "AssumeRoleWithSAML", Account: "123456789012", Time: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
				Params: newSAMLParams(tc.in, tc.a)})
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ RequestParameters map[string]any }
			if err := json.Unmarshal(rec.JSON, &got); err != nil {
				t.Fatalf("record %s: %v", rec.JSON, err)
			}
			if d := cmp.Diff(tc.want, got.RequestParameters); d != "" {
				t.Errorf("requestParameters of %+v with assertion %+v (-want +got):\n%s", tc.in, tc.a, d)
			}
		})
	}
}
