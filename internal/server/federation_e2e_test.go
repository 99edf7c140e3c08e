package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestGetFederationToken(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("broker")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("broker"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","iam:GetUser","iam:ListUsers"],"Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("broker")}))
	broker := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	// With a session policy allowing only iam:GetUser.
	ft := must[*sts.GetFederationTokenOutput](t, "GetFederationToken")(broker.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("visitor"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
	wantARN := "arn:aws:sts::" + testAccount + ":federated-user/visitor"
	if aws.ToString(ft.FederatedUser.Arn) != wantARN || aws.ToString(ft.FederatedUser.FederatedUserId) != testAccount+":visitor" {
		t.Errorf("FederatedUser = %s / %s", aws.ToString(ft.FederatedUser.Arn), aws.ToString(ft.FederatedUser.FederatedUserId))
	}
	if ft.PackedPolicySize == nil || *ft.PackedPolicySize <= 0 {
		t.Errorf("PackedPolicySize = %v", ft.PackedPolicySize)
	}
	c := ft.Credentials
	fedSTS := stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity")(fedSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != wantARN {
		t.Errorf("caller = %s, want %s", aws.ToString(id.Arn), wantARN)
	}
	fed := iamClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	// A federated user cannot call IAM through the API, whatever the policies allow (API
	// Reference, GetFederationToken, "Permissions"; TestS6FedLimits).
	_, err := fed.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("broker")})
	wantCode(t, "GetUser as federated user", err, "InvalidClientTokenId", "")
	// The session cannot call GetFederationToken again.
	_, err = fedSTS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	wantCode(t, "GetFederationToken with session credentials", err, "AccessDenied", "")

	// Without a session policy the federated user can do nothing.
	ft = must[*sts.GetFederationTokenOutput](t, "GetFederationToken no policy")(broker.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("nobody")}))
	c = ft.Credentials
	_, err = iamClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("broker")})
	wantCode(t, "GetUser without session policy", err, "InvalidClientTokenId", "")

	_, err = broker.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("x")})
	wantCode(t, "name too short", err, "ValidationError", "")
	_, err = broker.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bad"), Policy: aws.String(`{"Statement":`)})
	wantCode(t, "malformed session policy", err, "MalformedPolicyDocument", "")
	// Past 2,048 characters the policy fails its input constraint; within it, session tags can
	// still push the packed size over the limit.
	_, err = broker.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("big"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::` + testAccount + `:user/` + strings.Repeat("a", 2100) + `"}]}`)})
	wantCode(t, "oversized session policy", err, "ValidationError", "")
	var tags []ststypes.Tag
	for i := range 10 {
		tags = append(tags, ststypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String(strings.Repeat("v", 40))})
	}
	_, err = broker.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("packed"), Tags: tags,
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::` + testAccount + `:user/` + strings.Repeat("a", 1900) + `"}]}`)})
	wantCode(t, "session policy and tags over the packed size", err, "PackedPolicyTooLarge", "")
}
