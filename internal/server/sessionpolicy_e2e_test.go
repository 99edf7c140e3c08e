package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestSessionPolicyLength: GetFederationToken's inline session policy is at most 2,048
// characters, whitespace included (its model's sessionPolicyDocumentType), answered with
// ValidationError past it; AssumeRole's is unrestricted (only the packed size limits it).
func TestSessionPolicyLength(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("fed")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("fed"), PolicyName: aws.String("sts"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","sts:AssumeRole"],"Resource":"*"}]}`)}))
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("fed")}))
	fed := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	// A small policy padded with spaces to n characters: its packed size stays small.
	doc := func(n int) *string {
		base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
		return aws.String(base[:len(base)-1] + strings.Repeat(" ", n-len(base)) + "}")
	}
	if _, err := fed.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("at-limit"), Policy: doc(2048)}); err != nil {
		t.Errorf("GetFederationToken with a 2,048-character policy: %v", err)
	}
	_, err := fed.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("past-limit"), Policy: doc(2049)})
	wantCode(t, "GetFederationToken with a 2,049-character policy", err, "ValidationError", "")
	if err != nil && !strings.Contains(err.Error(), "at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048") {
		t.Errorf("message = %v, want the length constraint on policy", err)
	}
	if _, err := fed.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/r"), RoleSessionName: aws.String("long"), Policy: doc(4096)}); err != nil {
		t.Errorf("AssumeRole with a 4,096-character policy of small packed size: %v", err)
	}
}
