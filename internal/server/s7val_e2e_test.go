package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
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
	min1 := func(member string) string {
		return validationMsg("", member, "Member must have length greater than or equal to 1")
	}

	refused := []struct {
		name string
		call func() error
		want string
	}{
		{"GetUser UserName", func() error { _, err := root.GetUser(ctx, &iam.GetUserInput{UserName: empty}); return err }, min1("userName")},
		{"ListAccessKeys UserName", func() error {
			_, err := root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: empty})
			return err
		}, min1("userName")},
		{"ListUsers Marker", func() error { _, err := root.ListUsers(ctx, &iam.ListUsersInput{Marker: empty}); return err }, min1("marker")},
		{"ListRoles PathPrefix", func() error { _, err := root.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: empty}); return err }, min1("pathPrefix")},
		{"CreateUser Path", func() error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), Path: empty})
			return err
		}, min1("path")},
		{"CreatePolicy Path", func() error {
			_, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), Path: empty, PolicyDocument: aws.String(allowGet)})
			return err
		}, min1("path")},
		{"SimulateCustomPolicy CallerArn", func() error {
			_, err := root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"iam:GetUser"}, CallerArn: empty})
			return err
		}, min1("callerArn")},
		{"DeleteAccessKey UserName of a missing key", func() error {
			_, err := root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: empty, AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA")})
			return err
		}, min1("userName")},
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
