package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestListPoliciesGrantingServiceAccess(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	u := must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gina")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("gina"), PolicyName: aws.String("own"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:GetUser"],"Resource":"*"},{"Effect":"Deny","Action":"sqs:*","Resource":"*"}]}`)}))
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("gina")}))
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ec2read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: p.Policy.Arn}))

	out := must[*iam.ListPoliciesGrantingServiceAccessOutput](t, "ListPoliciesGrantingServiceAccess")(root.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{
		Arn: u.User.Arn, ServiceNamespaces: []string{"s3", "ec2", "sqs"}}))
	got := map[string][]string{}
	for _, e := range out.PoliciesGrantingServiceAccess {
		for _, pol := range e.Policies {
			got[aws.ToString(e.ServiceNamespace)] = append(got[aws.ToString(e.ServiceNamespace)], aws.ToString(pol.PolicyName)+"/"+string(pol.PolicyType)+"/"+string(pol.EntityType))
		}
	}
	if len(got["s3"]) != 1 || got["s3"][0] != "own/INLINE/USER" {
		t.Errorf("s3 = %v", got["s3"])
	}
	if len(got["ec2"]) != 1 || got["ec2"][0] != "ec2read/MANAGED/" {
		t.Errorf("ec2 = %v", got["ec2"])
	}
	if len(got["sqs"]) != 0 {
		t.Errorf("sqs (only denied) = %v", got["sqs"])
	}
	_, err := root.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:s3:::bucket-name-x"), ServiceNamespaces: []string{"s3"}})
	wantCode(t, "not an IAM identity", err, "InvalidInput", "")
}
