package query

import (
	"context"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"
)

const trustPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}`

// TestSDKRequests sends hand-written, realistic requests through the real SDK clients and
// checks that the server decodes exactly what was sent. TestSDKRoundTrip covers every operation
// with generated values; these cases read as documentation of the wire shapes.
func TestSDKRequests(t *testing.T) {
	iamSrv, iamClient, _ := startServer(t, IAMNamespace, newIAMClient)
	stsSrv, stsClient, _ := startServer(t, STSNamespace, newSTSClient)
	ctx := context.Background()
	// requestCase is one request: the input the client sends, and how it sends it.
	type requestCase struct {
		name string
		srv  *sdkServer
		in   any
		call func() error
	}
	var tests []requestCase
	add := func(name string, srv *sdkServer, in any, call func() error) {
		tests = append(tests, requestCase{name, srv, in, call})
	}
	createUser := &iam.CreateUserInput{
		UserName: aws.String("bob"), Path: aws.String("/eng/"),
		PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/boundary"),
		Tags:                []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}, {Key: aws.String("cost center"), Value: aws.String("")}},
	}
	add("CreateUser", iamSrv, createUser, func() error { _, err := iamClient.CreateUser(ctx, createUser); return err })
	createRole := &iam.CreateRoleInput{
		RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trustPolicy), Description: aws.String("web servers"),
		MaxSessionDuration: aws.Int32(7200), Path: aws.String("/svc/"),
		Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	}
	add("CreateRole", iamSrv, createRole, func() error { _, err := iamClient.CreateRole(ctx, createRole); return err })
	putUserPolicy := &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(trustPolicy)}
	add("PutUserPolicy", iamSrv, putUserPolicy, func() error { _, err := iamClient.PutUserPolicy(ctx, putUserPolicy); return err })
	createPolicyVersion := &iam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/p"), PolicyDocument: aws.String(trustPolicy), SetAsDefault: true}
	add("CreatePolicyVersion", iamSrv, createPolicyVersion, func() error { _, err := iamClient.CreatePolicyVersion(ctx, createPolicyVersion); return err })
	listUsers := &iam.ListUsersInput{Marker: aws.String("eyJvZmZzZXQiOjEwMH0="), MaxItems: aws.Int32(100), PathPrefix: aws.String("/eng/")}
	add("ListUsers", iamSrv, listUsers, func() error { _, err := iamClient.ListUsers(ctx, listUsers); return err })
	tagRole := &iam.TagRoleInput{RoleName: aws.String("web"), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}
	add("TagRole", iamSrv, tagRole, func() error { _, err := iamClient.TagRole(ctx, tagRole); return err })
	simulate := &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::123456789012:user/bob"),
		ActionNames:     []string{"s3:GetObject", "s3:PutObject"},
		ResourceArns:    []string{"arn:aws:s3:::bucket/*"},
		ContextEntries: []iamtypes.ContextEntry{
			{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: iamtypes.ContextKeyTypeEnumIpList, ContextKeyValues: []string{"10.0.0.1", "10.0.0.2"}},
			{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyType: iamtypes.ContextKeyTypeEnumBoolean, ContextKeyValues: []string{"true"}},
		},
		PolicyInputList: []string{trustPolicy},
	}
	add("SimulatePrincipalPolicy", iamSrv, simulate, func() error { _, err := iamClient.SimulatePrincipalPolicy(ctx, simulate); return err })
	updateAccessKey := &iam.UpdateAccessKeyInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"), Status: iamtypes.StatusTypeInactive, UserName: aws.String("bob")}
	add("UpdateAccessKey", iamSrv, updateAccessKey, func() error { _, err := iamClient.UpdateAccessKey(ctx, updateAccessKey); return err })
	assumeRole := &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::123456789012:role/web"), RoleSessionName: aws.String("session"),
		DurationSeconds: aws.Int32(900), ExternalId: aws.String("ext"), Policy: aws.String(trustPolicy),
		PolicyArns:        []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}},
		Tags:              []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("x")}},
		TransitiveTagKeys: []string{"project"},
		SerialNumber:      aws.String("arn:aws:iam::123456789012:mfa/bob"), TokenCode: aws.String("123456"),
		ProvidedContexts: []ststypes.ProvidedContext{{ContextAssertion: aws.String("a"), ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter")}},
	}
	add("AssumeRole", stsSrv, assumeRole, func() error { _, err := stsClient.AssumeRole(ctx, assumeRole); return err })

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.srv.mu.Lock()
			tt.srv.out, tt.srv.errOut = nil, nil
			tt.srv.mu.Unlock()
			// The SDK wants a Result element for these outputs; a nil output has none, which
			// the client reports after the server has decoded the request. Only the request
			// matters here.
			_ = tt.call()
			tt.srv.mu.Lock()
			defer tt.srv.mu.Unlock()
			if tt.srv.decErr != nil {
				t.Fatalf("DecodeForm: %v", tt.srv.decErr)
			}
			if diff := cmp.Diff(tt.in, tt.srv.got, sdkCmp); diff != "" {
				t.Errorf("decoded (-sent +decoded):\n%s", diff)
			}
		})
	}
}

// TestSDKResponses encodes realistic outputs and checks what the SDK client returns, including
// the URL-encoded policy documents that SDK users decode with url.QueryUnescape.
func TestSDKResponses(t *testing.T) {
	s, client, _ := startServer(t, IAMNamespace, newIAMClient)
	created := time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)
	role := iamtypes.Role{
		Arn: aws.String("arn:aws:iam::123456789012:role/svc/web"), RoleName: aws.String("web"), RoleId: aws.String("AROA1234567890EXAMPLE"),
		Path: aws.String("/svc/"), CreateDate: aws.Time(created), AssumeRolePolicyDocument: aws.String(trustPolicy),
		MaxSessionDuration: aws.Int32(3600), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v & <w>")}},
	}
	s.mu.Lock()
	s.out = &iam.GetRoleOutput{Role: &role}
	s.mu.Unlock()
	out, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	if doc != trustPolicy {
		t.Errorf("policy document after url.QueryUnescape = %q, want %q", doc, trustPolicy)
	}
	got := *out.Role
	got.AssumeRolePolicyDocument = aws.String(doc)
	if diff := cmp.Diff(role, got, sdkCmp); diff != "" {
		t.Errorf("GetRole (-encoded +decoded):\n%s", diff)
	}

	s.mu.Lock()
	s.out = &iam.ListUsersOutput{Users: []iamtypes.User{}, IsTruncated: false}
	s.mu.Unlock()
	users, err := client.ListUsers(context.Background(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if users.Users == nil || len(users.Users) != 0 || users.IsTruncated || users.Marker != nil {
		t.Errorf("ListUsers = %+v, want an empty, complete page", users)
	}
	if !reflect.DeepEqual(users.Users, []iamtypes.User{}) {
		t.Errorf("Users = %#v, want empty", users.Users)
	}
}
