package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// TestS7ValEmpty: a member sent empty ("UserName=", which the SDK sends for aws.String("")) is
// an empty string, not an absent member; where the service model sets a minimum length AWS
// refuses it with a ValidationError, before anything else (no user is created). An empty list
// ("Tags=", the SDK's empty non-nil slice) stays an empty list, and an empty string where the
// model sets no minimum (UpdateRole's Description) stays accepted.
func TestS7ValEmpty(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t, "CreateRole r")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}))
	empty := aws.String("")
	// min1 is AWS's answer for an empty member whose model sets a minimum length of 1 and, when
	// pattern is not "", a pattern the empty value breaks too: AWS names both failures.
	min1 := func(member, pattern string) string {
		length := "Value '' at '" + member + "' failed to satisfy constraint: Member must have length greater than or equal to 1"
		if pattern == "" {
			return "1 validation error detected: " + length
		}
		return "2 validation errors detected: " + length + "; Value '' at '" + member + "' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern
	}
	const namePattern, markerPattern = `[\w+=,.@-]+`, `[\u0020-\u00FF]+`

	refused := []struct {
		name string
		call func() error
		want string
	}{
		{"GetUser UserName", func() error { _, err := root.GetUser(ctx, &iam.GetUserInput{UserName: empty}); return err }, min1("userName", namePattern)},
		{"ListAccessKeys UserName", func() error {
			_, err := root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: empty})
			return err
		}, min1("userName", namePattern)},
		{"ListUsers Marker", func() error { _, err := root.ListUsers(ctx, &iam.ListUsersInput{Marker: empty}); return err }, min1("marker", markerPattern)},
		{"ListRoles PathPrefix", func() error { _, err := root.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: empty}); return err }, min1("pathPrefix", `\u002F[\u0021-\u007F]*`)},
		{"CreateUser Path", func() error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), Path: empty})
			return err
		}, min1("path", `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)},
		{"CreatePolicy Path", func() error {
			_, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), Path: empty, PolicyDocument: aws.String(allowGet)})
			return err
		}, min1("path", `((/[A-Za-z0-9\.,\+@=_-]+)*)/`)},
		{"SimulateCustomPolicy CallerArn", func() error {
			_, err := root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"iam:GetUser"}, CallerArn: empty})
			return err
		}, min1("callerArn", "")},
		{"DeleteAccessKey UserName of a missing key", func() error {
			_, err := root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: empty, AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA")})
			return err
		}, min1("userName", namePattern)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.name, tt.call(), "ValidationError", tt.want)
		})
	}
	if _, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err == nil {
		t.Errorf("CreateUser with Path=\"\" created the user")
	}

	t.Run("empty tag list", func(t *testing.T) {
		out, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("cy"), Tags: []iamtypes.Tag{}})
		if err != nil {
			t.Fatalf("CreateUser with Tags=[]: %v", err)
		}
		if len(out.User.Tags) != 0 {
			t.Errorf("CreateUser with Tags=[]: tags %v, want none", out.User.Tags)
		}
	})
	t.Run("empty description", func(t *testing.T) {
		if _, err := root.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("r"), Description: empty}); err != nil {
			t.Errorf("UpdateRole Description=\"\": %v, want success", err)
		}
	})
	t.Run("empty tag value", func(t *testing.T) {
		_, err := root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("ada"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: empty}}})
		if err != nil {
			t.Errorf("TagUser Value=\"\": %v, want success", err)
		}
	})
}

// TestS7ValModelFirst: AWS checks a request against the service model before it refuses a root
// caller, authorizes, or looks anything up; each of these used to answer the later check.
func TestS7ValModelFirst(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	rootSTS := stsClient(srv, rootKey, rootSecret, "")
	long := func(n int) string { return strings.Repeat("a", n) }
	topic := "arn:aws:sns:us-east-1:" + testAccount + ":t"
	missingTemplate := aws.String(acctARN + "policy/none")

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"AcceptDelegationRequest as root, ID too short", func() error {
			_, err := root.AcceptDelegationRequest(ctx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String("short")})
			return err
		}, validationMsg("short", "delegationRequestId", "Member must have length greater than or equal to 16")},
		{"ChangePassword as root, password too long (value left out)", func() error {
			_, err := root.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(long(129)), NewPassword: aws.String("Brand-New-Pass-1")})
			return err
		}, "1 validation error detected: Value at 'oldPassword' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"GetOrganizationsAccessReport MaxItems 0 without an organization", func() error {
			_, err := root.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String("00000000-0000-0000-0000-000000000000"), MaxItems: aws.Int32(0)})
			return err
		}, validationMsg("0", "maxItems", "Member must have value greater than or equal to 1")},
		{"CreateDelegationRequest parameter name too short, template missing", func() error {
			_, err := root.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("d"), NotificationChannel: aws.String(topic),
				RequestorWorkflowId: aws.String("wf-0001"), SessionDuration: aws.Int32(900), Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: missingTemplate,
					Parameters: []iamtypes.PolicyParameter{{Name: aws.String("abc"), Type: iamtypes.PolicyParameterTypeEnumString, Values: []string{"x"}}}}})
			return err
		}, validationMsg("abc", "permissions.parameters.1.member.name", "Member must have length greater than or equal to 5")},
		{"RejectDelegationRequest notes too long, request missing", func() error {
			_, err := root.RejectDelegationRequest(ctx, &iam.RejectDelegationRequestInput{DelegationRequestId: aws.String(long(16)), Notes: aws.String(long(501))})
			return err
		}, validationMsg(long(501), "notes", "Member must have length less than or equal to 500")},
		{"GetServiceLastAccessedDetailsWithEntities namespace pattern, job missing", func() error {
			_, err := root.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String("00000000-0000-0000-0000-000000000000"), ServiceNamespace: aws.String("s3 x")})
			return err
		}, validationMsg("s3 x", "serviceNamespace", `Member must satisfy regular expression pattern: [\w-]*`)},
		{"AssumeRole as root with a short context assertion", func() error {
			_, err := rootSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + "role/none"), RoleSessionName: aws.String("s1"),
				ProvidedContexts: []ststypes.ProvidedContext{{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"), ContextAssertion: aws.String("a")}}})
			return err
		}, validationMsg("a", "providedContexts.1.member.contextAssertion", "Member must have length greater than or equal to 4")},
		{"GetFederationToken policy outside the pattern", func() error {
			_, err := rootSTS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("visitor"), Policy: aws.String("{\u0100}")})
			return err
		}, validationMsg("{\u0100}", "policy", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.name, tt.call(), "ValidationError", tt.want)
		})
	}
}

// TestS7ValMessages: the forms of AWS's request validation messages: several violations in one
// request, a list of strings whose element breaks its constraints (the list is named, its value
// left out, with the element's constraints and "Member must not be null"), a list's length.
func TestS7ValMessages(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))

	_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name"), Path: aws.String("nopath")})
	wantCode(t, "CreateUser with a bad name and path", err, "ValidationError", "2 validation errors detected: "+
		`Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; `+
		`Value 'nopath' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)

	_, err = root.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("ada"), TagKeys: []string{"a", ""}})
	wantCode(t, "UntagUser with an empty key", err, "ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: "+
		`Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`)

	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	_, err = root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject", "ab"}})
	wantCode(t, "SimulateCustomPolicy with a 2-character action", err, "ValidationError", "1 validation error detected: Value at 'actionNames' failed to satisfy constraint: "+
		"Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 3, Member must not be null]")

	_, err = root.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{"User", "Users"}})
	wantCode(t, "GetAccountAuthorizationDetails with a bad filter", err, "ValidationError", "1 validation error detected: Value at 'filter' failed to satisfy constraint: "+
		"Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy], Member must not be null]")

	_, err = root.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(acctARN + "user/ada"), ServiceNamespaces: []string{}})
	wantCode(t, "ListPoliciesGrantingServiceAccess with no namespaces", err, "ValidationError",
		"1 validation error detected: Value at 'serviceNamespaces' failed to satisfy constraint: Member must have length greater than or equal to 1")
}

// TestS7ValBounds: what the model allows and iamd refused: a delegation session of 300 seconds
// and a 400-character workflow ID; Status=Expired is in the model's statusType, so it is no enum
// failure, but a caller cannot set it (InvalidInput).
func TestS7ValBounds(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))
	tpl := must[*iam.CreatePolicyOutput](t, "CreatePolicy template")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("tpl"), PolicyDocument: aws.String(allowGet)}))
	_, err := root.CreateDelegationRequest(ctx, &iam.CreateDelegationRequestInput{Description: aws.String("d"), NotificationChannel: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":t"),
		RequestorWorkflowId: aws.String(strings.Repeat("w", 400)), SessionDuration: aws.Int32(300), Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: tpl.Policy.Arn}})
	if err != nil {
		t.Errorf("CreateDelegationRequest with a 300-second session and a 400-character workflow ID: %v, want success", err)
	}

	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ada")}))
	_, err = root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ada"), AccessKeyId: key.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeExpired})
	wantCode(t, "UpdateAccessKey Status=Expired", err, "InvalidInput", "The status Expired cannot be set; a credential expires at its expiration date.")
}
