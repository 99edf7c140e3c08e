package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// TestAssumeRoleProviderChainingAndRevocation drives AssumeRole through the Go SDK's own
// credential provider, chains roles, passes session tags, and revokes sessions the way the IAM
// console does (a deny on aws:TokenIssueTime).
func TestAssumeRoleProviderChainingAndRevocation(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	for _, r := range []string{"first", "second"} {
		must[*iam.CreateRoleOutput](t, "CreateRole "+r)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(7200)}))
	}
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy first")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"},
			{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)}))
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("op")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("op"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("op")}))
	opSTS := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	// The SDK's AssumeRoleProvider, with a session tag.
	prov := stscreds.NewAssumeRoleProvider(opSTS, "arn:aws:iam::"+testAccount+":role/first", func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "via-provider"
		o.Tags = []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
		o.TransitiveTagKeys = []string{"team"}
	})
	cfg := awsConfig(srv.Endpoint(), "", "", "")
	cfg.Credentials = aws.NewCredentialsCache(prov)
	firstIAM, firstSTS := iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
	id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity via provider")(firstSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if want := "arn:aws:sts::" + testAccount + ":assumed-role/first/via-provider"; aws.ToString(id.Arn) != want {
		t.Fatalf("caller = %s, want %s", aws.ToString(id.Arn), want)
	}
	// The session tag satisfies the aws:PrincipalTag condition.
	must[*iam.GetRoleOutput](t, "GetRole with the team tag")(firstIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("first")}))

	// Chaining: at most one hour; the transitive tag passes on.
	_, err := firstSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/second"), RoleSessionName: aws.String("chained"), DurationSeconds: aws.Int32(7200)})
	wantCode(t, "chained session over an hour", err, "ValidationError", "")
	chained := must[*sts.AssumeRoleOutput](t, "chained AssumeRole")(firstSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/second"), RoleSessionName: aws.String("chained")}))
	if d := time.Until(aws.ToTime(chained.Credentials.Expiration)); d > time.Hour+time.Minute {
		t.Errorf("chained session lasts %v, want at most an hour", d)
	}
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy second")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("second"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)}))
	c := chained.Credentials
	secondIAM := iamClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	must[*iam.GetRoleOutput](t, "GetRole in the chained session (transitive tag)")(secondIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("second")}))

	// Revoke every session of "second" issued until now.
	cutoff := time.Now().UTC().Add(2 * time.Second).Format(time.RFC3339)
	must[*iam.PutRolePolicyOutput](t, "revoke sessions")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("second"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}]}`)}))
	_, err = secondIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("second")})
	wantCode(t, "revoked session", err, "AccessDenied", "")
	if err != nil && !strings.Contains(err.Error(), "explicit deny") {
		t.Errorf("revoked session denial should name the explicit deny: %v", err)
	}
}
