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

// TestHumanReadableSummary: a delegation request's summary is written from the request and its
// policy (services, access levels, resources), under GetDelegationRequest's access rules.
func TestHumanReadableSummary(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	tpl := must[*iam.CreatePolicyOutput](t, "CreatePolicy template")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("template"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUserTags"],"Resource":"` + acctARN + `user/{{username}}"}]}`)}))
	created := must[*iam.CreateDelegationRequestOutput](t, "CreateDelegationRequest")(root.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{
		Description: aws.String("Read your user for onboarding"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":events"),
		RequestorWorkflowId: aws.String("wf-0001"), SessionDuration: aws.Int32(5400), OwnerAccountId: aws.String(testAccount),
		Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: tpl.Policy.Arn,
			Parameters: []iamtypes.PolicyParameter{{Name: aws.String("username"), Type: iamtypes.PolicyParameterTypeEnumString, Values: []string{"cora"}}}}}))
	id := aws.ToString(created.DelegationRequestId)
	req := must[*iam.GetDelegationRequestOutput](t, "GetDelegationRequest")(root.GetDelegationRequest(ctx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)})).DelegationRequest
	from := ""
	if n := aws.ToString(req.RequestorName); n != "" {
		from = " from " + n
	}
	entity := acctARN + "delegation-request/" + id

	out := must[*iam.GetHumanReadableSummaryOutput](t, "GetHumanReadableSummary")(root.GetHumanReadableSummary(ctx, &iam.GetHumanReadableSummaryInput{EntityArn: aws.String(entity)}))
	want := "Delegation request " + id + from + " for account " + testAccount + ".\n" +
		"Description: Read your user for onboarding\n" +
		"Access is requested for sessions of up to 1 hour 30 minutes.\n" +
		"Requested permissions:\n" +
		"- Allows AWS Identity and Access Management (IAM) (List: ListUserTags; Read: GetUser) on " + acctARN + "user/cora."
	if diff := cmp.Diff(want, aws.ToString(out.SummaryContent)); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if out.SummaryState != iamtypes.SummaryStateTypeAvailable || aws.ToString(out.Locale) != "en" {
		t.Errorf("state, locale = %s, %s; want AVAILABLE, en", out.SummaryState, aws.ToString(out.Locale))
	}
	ja := must[*iam.GetHumanReadableSummaryOutput](t, "GetHumanReadableSummary ja")(root.GetHumanReadableSummary(ctx, &iam.GetHumanReadableSummaryInput{EntityArn: aws.String(entity), Locale: aws.String("ja")}))
	if aws.ToString(ja.Locale) != "ja" || aws.ToString(ja.SummaryContent) != want {
		t.Errorf("Locale ja: locale %s, content %q; want ja and the English text", aws.ToString(ja.Locale), aws.ToString(ja.SummaryContent))
	}

	id2, secret := userWithKey(t, ctx, root, "nobody")
	nobody := iamClient(srv, id2, secret, "")
	tests := []struct {
		name      string
		c         *iam.Client
		entity    string
		code, msg string
	}{
		{"not a delegation request", root, acctARN + "user/nobody", "InvalidInput",
			"Entity type of " + acctARN + "user/nobody is not supported. The only supported entity type is delegation-request."},
		{"missing request", root, acctARN + "delegation-request/dr-000000000000000000000000", "NoSuchEntity",
			"The delegation request with ID dr-000000000000000000000000 cannot be found."},
		{"not allowed", nobody, entity, "AccessDenied",
			"User: " + acctARN + "user/nobody is not authorized to perform: iam:GetHumanReadableSummary on resource: " + entity + " because no identity-based policy allows the iam:GetHumanReadableSummary action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.GetHumanReadableSummary(ctx, &iam.GetHumanReadableSummaryInput{EntityArn: aws.String(tc.entity)})
			wantCode(t, "GetHumanReadableSummary", err, tc.code, tc.msg)
		})
	}
}
