package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestChangesApplyOnNextRequest checks that the authorization and access key caches never
// outlive a change: each change below is followed at once by a request that must see it.
func TestChangesApplyOnNextRequest(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("get"), PolicyDocument: aws.String(allowGet)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	carol := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	get := func() error {
		_, err := carol.GetUser(ctx, &iam.GetUserInput{})
		return err
	}
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: p.Policy.Arn}))

	steps := []struct {
		name   string
		change func() error
		code   string // "" = allowed
	}{
		{"no policy", func() error { return nil }, "AccessDenied"},
		{"attach", func() error {
			_, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: p.Policy.Arn})
			return err
		}, ""},
		{"detach", func() error {
			_, err := root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: p.Policy.Arn})
			return err
		}, "AccessDenied"},
		{"join group", func() error {
			_, err := root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("carol"), GroupName: aws.String("readers")})
			return err
		}, ""},
		{"new default version denies", func() error {
			_, err := root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, SetAsDefault: true,
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)})
			return err
		}, "AccessDenied"},
		{"back to v1", func() error {
			_, err := root.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: p.Policy.Arn, VersionId: aws.String("v1")})
			return err
		}, ""},
		{"leave group", func() error {
			_, err := root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String("carol"), GroupName: aws.String("readers")})
			return err
		}, "AccessDenied"},
		{"inline policy", func() error {
			_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("read"), PolicyDocument: aws.String(allowGet)})
			return err
		}, ""},
		{"deactivate key", func() error {
			_, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: k.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeInactive})
			return err
		}, "InvalidClientTokenId"},
		{"reactivate key", func() error {
			_, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: k.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeActive})
			return err
		}, ""},
		{"delete inline policy", func() error {
			_, err := root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("read")})
			return err
		}, "AccessDenied"},
		{"delete key", func() error {
			_, err := root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: k.AccessKey.AccessKeyId})
			return err
		}, "InvalidClientTokenId"},
	}
	for _, s := range steps {
		if err := s.change(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		// Twice: the first call after a change may load the cache, the second reads it.
		for i := range 2 {
			err := get()
			if s.code == "" {
				if err != nil {
					t.Fatalf("after %s: GetUser call %d: %v, want allowed", s.name, i+1, err)
				}
				continue
			}
			wantCode(t, "after "+s.name+": GetUser", err, s.code, "")
		}
	}
}
