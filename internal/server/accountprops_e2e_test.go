package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestSecurityTokenServicePreferences: the global endpoint token version is stored and reported
// by GetAccountSummary (1 until set).
func TestSecurityTokenServicePreferences(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	version := func() int32 {
		t.Helper()
		s := must[*iam.GetAccountSummaryOutput](t, "GetAccountSummary")(root.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))
		return s.SummaryMap["GlobalEndpointTokenVersion"]
	}
	if got := version(); got != 1 {
		t.Fatalf("GlobalEndpointTokenVersion of a new account = %d, want 1", got)
	}
	for _, tc := range []struct {
		set  iamtypes.GlobalEndpointTokenVersion
		want int32
	}{{iamtypes.GlobalEndpointTokenVersionV2Token, 2}, {iamtypes.GlobalEndpointTokenVersionV1Token, 1}, {iamtypes.GlobalEndpointTokenVersionV2Token, 2}} {
		must[*iam.SetSecurityTokenServicePreferencesOutput](t, "SetSecurityTokenServicePreferences")(root.SetSecurityTokenServicePreferences(ctx,
			&iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: tc.set}))
		if got := version(); got != tc.want {
			t.Errorf("after %s: GlobalEndpointTokenVersion = %d, want %d", tc.set, got, tc.want)
		}
	}
	_, err := root.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	wantCode(t, "v3Token", err, "ValidationError",
		"1 validation error detected: Value 'v3Token' at 'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy enum value set: [v1Token, v2Token]")

	id, secret := userWithKey(t, ctx, root, "nobody")
	_, err = iamClient(srv, id, secret, "").SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: iamtypes.GlobalEndpointTokenVersionV1Token})
	wantCode(t, "without policy", err, "AccessDenied", "")
	if got := version(); got != 2 {
		t.Errorf("a denied call changed GlobalEndpointTokenVersion to %d", got)
	}
}

// TestAccountProperties: properties of one namespace per call are validated, stored, merged and
// returned; iam:AccountPropertyNamespaces carries the namespaces to the policy.
func TestAccountProperties(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	props := func(c *iam.Client) map[string]string {
		t.Helper()
		return must[*iam.GetAccountPropertiesOutput](t, "GetAccountProperties")(c.GetAccountProperties(ctx, &iam.GetAccountPropertiesInput{})).Properties
	}
	if got := props(root); len(got) != 0 {
		t.Fatalf("new account's properties = %v, want none", got)
	}
	put := func(c *iam.Client, m map[string]string) error {
		_, err := c.PutAccountProperties(ctx, &iam.PutAccountPropertiesInput{Properties: m})
		return err
	}
	must[*struct{}](t, "Put RoleManager")(nil, put(root, map[string]string{"RoleManager/Enabled": "true", "RoleManager/Mode": "audit"}))
	must[*struct{}](t, "Put Other")(nil, put(root, map[string]string{"Other/Flag": "false"}))
	must[*struct{}](t, "Put RoleManager again")(nil, put(root, map[string]string{"RoleManager/Mode": "enforce"}))
	want := map[string]string{"RoleManager/Enabled": "true", "RoleManager/Mode": "enforce", "Other/Flag": "false"}
	if diff := cmp.Diff(want, props(root)); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}

	tests := []struct {
		name      string
		in        map[string]string
		code, msg string
	}{
		{"two namespaces", map[string]string{"A/x": "1", "B/y": "2"}, "InvalidInput", "All properties in a request must belong to the same namespace."},
		{"no slash", map[string]string{"RoleManager": "1"}, "InvalidInput", "Property key RoleManager must have the form Namespace/PropertyName."},
		{"two slashes", map[string]string{"A/b/c": "1"}, "InvalidInput", "Property key A/b/c must have the form Namespace/PropertyName."},
		{"trailing slash", map[string]string{"A/": "1"}, "InvalidInput", "Property key A/ must have the form Namespace/PropertyName."},
		{"leading digit", map[string]string{"1A/b": "1"}, "ValidationError", ""},
		{"key too long", map[string]string{"A/" + string(make([]byte, 49)): "1"}, "ValidationError", ""},
		{"empty value", map[string]string{"A/b": ""}, "ValidationError", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, "PutAccountProperties", put(root, tc.in), tc.code, tc.msg)
		})
	}

	// A user allowed only the RoleManager namespace.
	id, secret := userWithKey(t, ctx, root, "rm")
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("rm"), PolicyName: aws.String("rm"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PutAccountProperties","iam:GetAccountProperties"],"Resource":"*",
		"Condition":{"ForAllValues:StringEquals":{"iam:AccountPropertyNamespaces":["RoleManager"]}}}]}`)}))
	rm := iamClient(srv, id, secret, "")
	must[*struct{}](t, "Put RoleManager as rm")(nil, put(rm, map[string]string{"RoleManager/Enabled": "false"}))
	wantCode(t, "Put Other as rm", put(rm, map[string]string{"Other/Flag": "true"}), "AccessDenied", "")
	_, err := rm.GetAccountProperties(ctx, &iam.GetAccountPropertiesInput{})
	wantCode(t, "Get with the Other namespace present", err, "AccessDenied", "")
	if got := props(root)["RoleManager/Enabled"]; got != "false" {
		t.Errorf("RoleManager/Enabled = %q after rm's put, want false", got)
	}
}
