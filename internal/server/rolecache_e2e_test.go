package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestAssumeRoleSeesRoleChanges: AssumeRole keeps roles in a cache; every change to the role is
// followed at once by an AssumeRole that must see it.
func TestAssumeRoleSeesRoleChanges(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))
	dev := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	trustAccount := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	trustNobody := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	roleARN := aws.String("arn:aws:iam::" + testAccount + ":role/app")
	assume := func(seconds int32) error {
		_, err := dev.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("sess"), DurationSeconds: aws.Int32(seconds)})
		return err
	}
	steps := []struct {
		name    string
		change  func() error
		seconds int32
		code    string // "" = allowed
	}{
		{"no role", func() error { return nil }, 900, "AccessDenied"},
		{"created", func() error {
			_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustAccount)})
			return err
		}, 900, ""},
		{"longer than the maximum", func() error { return nil }, 7200, "ValidationError"},
		{"maximum raised", func() error {
			_, err := root.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), MaxSessionDuration: aws.Int32(7200)})
			return err
		}, 7200, ""},
		{"trust narrowed", func() error {
			_, err := root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(trustNobody)})
			return err
		}, 900, "AccessDenied"},
		{"trust restored", func() error {
			_, err := root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(trustAccount)})
			return err
		}, 900, ""},
		{"deleted", func() error {
			_, err := root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
			return err
		}, 900, "AccessDenied"},
	}
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: change: %v", st.name, err)
		}
		err := assume(st.seconds)
		if st.code == "" {
			if err != nil {
				t.Errorf("%s: AssumeRole = %v, want allowed", st.name, err)
			}
			continue
		}
		wantCode(t, st.name, err, st.code, "")
	}
}
