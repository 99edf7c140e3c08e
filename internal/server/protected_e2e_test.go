package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestServiceLinkedRoleIsProtected: only the description of a service-linked role may be
// changed through the IAM API; DeleteServiceLinkedRole removes it.
func TestServiceLinkedRoleIsProtected(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	out := must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole")(root.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")}))
	name := out.Role.RoleName
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	doc := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	want := "Cannot perform the operation on the protected role '" + aws.ToString(name) + "' - this role is only modifiable by AWS"
	for what, call := range map[string]func() error{
		"DeleteRole": func() error { _, err := root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name}); return err },
		"PutRolePolicy": func() error {
			_, err := root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("x"), PolicyDocument: doc})
			return err
		},
		"AttachRolePolicy": func() error {
			_, err := root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: p.Policy.Arn})
			return err
		},
		"UpdateAssumeRolePolicy": func() error {
			_, err := root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: name,
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)})
			return err
		},
		"UpdateRole": func() error {
			_, err := root.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: name, MaxSessionDuration: aws.Int32(7200)})
			return err
		},
	} {
		wantCode(t, what, call(), "UnmodifiableEntity", want)
	}
	must[*iam.UpdateRoleDescriptionOutput](t, "UpdateRoleDescription")(root.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: name, Description: aws.String("allowed")}))
	must[*iam.DeleteServiceLinkedRoleOutput](t, "DeleteServiceLinkedRole")(root.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: name}))
}
