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

	"github.com/iamd-dev/iamd/internal/mfa"
)

// TestAssumeRoleProviderWithMFA drives the Go SDK's own MFA flow: stscreds.AssumeRoleProvider
// with SerialNumber and a TokenProvider that computes the device's current TOTP code, assuming a
// role whose trust policy requires aws:MultiFactorAuthPresent. The session it gets carries MFA
// into the role's own MFA-conditioned permissions.
func TestAssumeRoleProviderWithMFA(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	userARN := "arn:aws:iam::" + testAccount + ":user/otto"
	roleARN := "arn:aws:iam::" + testAccount + ":role/admin"

	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("otto")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("otto"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("otto")}))
	otto := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN + `"},
			"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)}))

	dev := must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("otto")}))
	serial, seed := aws.ToString(dev.VirtualMFADevice.SerialNumber), string(dev.VirtualMFADevice.Base32StringSeed)
	// Enabled with the two codes before the current one, which the provider then uses.
	now := time.Now()
	must[*iam.EnableMFADeviceOutput](t, "EnableMFADevice")(root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("otto"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now.Add(-60*time.Second))), AuthenticationCode2: aws.String(code(t, seed, now.Add(-30*time.Second)))}))

	// Without MFA the trust policy refuses.
	_, err := otto.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("no-mfa")})
	wantCode(t, "AssumeRole without MFA", err, "AccessDenied", "User: "+userARN+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN)

	tokenCalls := 0
	provider := stscreds.NewAssumeRoleProvider(otto, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "with-mfa"
		o.SerialNumber = aws.String(serial)
		o.TokenProvider = func() (string, error) {
			tokenCalls++
			return mfa.Code(seed, time.Now())
		}
	})
	cfg := awsConfig(srv.Endpoint(), "", "", "")
	cfg.Credentials = aws.NewCredentialsCache(provider)
	id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as the MFA session")(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if want := "arn:aws:sts::" + testAccount + ":assumed-role/admin/with-mfa"; aws.ToString(id.Arn) != want {
		t.Errorf("caller = %s, want %s", aws.ToString(id.Arn), want)
	}
	if tokenCalls != 1 {
		t.Errorf("TokenProvider called %d times, want 1", tokenCalls)
	}
	// The session is an MFA session: the role's MFA-conditioned permission applies.
	must[*iam.ListUsersOutput](t, "ListUsers as the MFA session")(iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}))

	// A wrong code fails the provider with STS's error.
	bad := stscreds.NewAssumeRoleProvider(otto, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.SerialNumber = aws.String(serial)
		o.TokenProvider = func() (string, error) {
			c, err := mfa.Code(seed, time.Now())
			if err != nil {
				return "", err
			}
			return strings.Map(func(r rune) rune { return '0' + (r-'0'+5)%10 }, c), nil
		}
	})
	_, err = bad.Retrieve(ctx)
	wantCode(t, "provider with a wrong code", err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
}
