package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestPrincipalIsAWSServiceAndResourceAccount: every IAM principal's requests carry
// aws:PrincipalIsAWSService false, and requests on a resource carry the account that owns it as
// aws:ResourceAccount, so the data-perimeter patterns that test them decide as in AWS (a trial
// found the first deny never matching and the second always denying).
func TestPrincipalIsAWSServiceAndResourceAccount(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("per")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("per"), PolicyName: aws.String("perimeter"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"iam:*","Resource":"*"},
			{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:PrincipalIsAWSService":"false"}}},
			{"Effect":"Deny","Action":"iam:GetUser","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceAccount":"` + testAccount + `"}}},
			{"Effect":"Deny","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"` + testAccount + `"}}}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("per")}))
	per := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))

	_, err := per.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers under the aws:PrincipalIsAWSService false deny", err, "AccessDenied", "")
	must[*iam.GetUserOutput](t, "GetUser of the caller's own account")(per.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("per")}))
	_, err = per.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	wantCode(t, "GetRole under the aws:ResourceAccount own-account deny", err, "AccessDenied", "")
	must[*iam.ListRolesOutput](t, "ListRoles (no deny applies)")(per.ListRoles(ctx, &iam.ListRolesInput{}))
}
